/**
 * Code that runs inside the browsers, kept as plain JavaScript source strings. Functions
 * written in TypeScript would be sent with `Function.prototype.toString()`, and tsx (esbuild
 * keepNames) wraps inner named functions in a `__name` helper that does not exist in the page.
 */

export interface MaskRect {
  x: number;
  y: number;
  width: number;
  height: number;
  why: string;
}

/**
 * Runs in the customer's tab: the regions that the replica must not show as they are, by
 * design (masked input values, redacted text, blocked elements, extra selectors), in viewport
 * CSS pixels. Walks open shadow roots and same-origin frames. Mirrors the SDK's default policy
 * (packages/sdk/src/redaction.ts): every form value is masked unless inside data-samepage-allow,
 * and sensitive fields (passwords, card fields) always are; check boxes and buttons are not.
 */
export const MASK_RECTS = (extraSelectors: string[]): string => `(() => {
  const extra = ${JSON.stringify(extraSelectors)};
  const LABEL = new Set(['checkbox', 'radio', 'submit', 'button', 'reset', 'image', 'hidden']);
  const SENSITIVE = /(^|[^a-z])(cc|card|cvc|cvv|csc|expiry|expiration|exp|ssn|iban|password)([^a-z]|$)/i;
  const rects = [];
  const seen = new Set();
  const push = (el, dx, dy, why) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return;
    rects.push({ x: r.left + dx, y: r.top + dy, width: r.width, height: r.height, why });
  };
  const roots = [{ root: document, dx: 0, dy: 0 }];
  for (let i = 0; i < roots.length; i++) {
    const { root, dx, dy } = roots[i];
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot && !seen.has(el.shadowRoot)) {
        seen.add(el.shadowRoot);
        roots.push({ root: el.shadowRoot, dx, dy });
      }
      if (el.localName === 'iframe') {
        let inner = null;
        try { inner = el.contentDocument; } catch { inner = null; }
        if (inner && !seen.has(inner)) {
          seen.add(inner);
          const r = el.getBoundingClientRect();
          roots.push({ root: inner, dx: dx + r.left + el.clientLeft, dy: dy + r.top + el.clientTop });
        }
      }
      if (el.localName === 'samepage-widget') continue;
      if (el.matches('[data-samepage-block]')) { push(el, dx, dy, 'blocked'); continue; }
      if (el.matches('[data-samepage-redact]')) { push(el, dx, dy, 'redacted'); continue; }
      let hit = '';
      for (const sel of extra) { try { if (el.matches(sel)) hit = sel; } catch {} }
      if (hit) { push(el, dx, dy, 'mask ' + hit); continue; }
      if (el.localName === 'input' || el.localName === 'textarea' || el.localName === 'select') {
        const type = (el.getAttribute('type') || '').toLowerCase();
        if (LABEL.has(type)) continue;
        const auto = (el.getAttribute('autocomplete') || '').toLowerCase();
        const names = [el.getAttribute('name'), el.id, el.getAttribute('aria-label'), el.getAttribute('placeholder')].join(' ');
        const sensitive = type === 'password' || /(^|\\s)(cc-|one-time-code)/.test(auto) || SENSITIVE.test(names);
        const allowed = !!el.closest('[data-samepage-allow]');
        if (sensitive || !allowed) push(el, dx, dy, 'masked value');
      }
    }
  }
  return rects;
})()`;

/** Runs in the customer's tab: resolves once the page says it is set up, fonts and images are loaded. */
export const CUSTOMER_READY = `(async () => {
  const start = performance.now();
  while (window.__fidelityReady === false && performance.now() - start < 10000) await new Promise((r) => setTimeout(r, 25));
  await document.fonts.ready;
  const imgs = Array.from(document.images).filter((i) => !i.complete);
  await Promise.race([
    Promise.all(imgs.map((i) => new Promise((r) => { i.addEventListener('load', r, { once: true }); i.addEventListener('error', r, { once: true }); }))),
    new Promise((r) => setTimeout(r, 5000)),
  ]);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return window.__fidelityReady !== false;
})()`;

export const TWO_FRAMES = `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`;

export interface SettleResult {
  ok: boolean;
  timedOut: boolean;
  waitedMs: number;
  pendingMedia: number;
}

/**
 * Runs in the console: waits until the replica exists and has had no DOM mutation (in the
 * document, its open shadow roots and same-origin frames) for `quietMs`, then for its fonts,
 * images and videos, then two animation frames.
 */
export const REPLICA_SETTLE = (quietMs: number, maxMs: number): string => `(async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const hook = () => window.__samepageReplica && window.__samepageReplica.document();
  const start = performance.now();
  let doc = hook();
  while (!(doc && doc.body && doc.body.childElementCount > 0)) {
    if (performance.now() - start > ${maxMs}) return { ok: false, timedOut: true, waitedMs: performance.now() - start, pendingMedia: 0 };
    await sleep(50);
    doc = hook();
  }
  let last = performance.now();
  const observer = new MutationObserver(() => { last = performance.now(); });
  const observed = new Set();
  const options = { subtree: true, childList: true, attributes: true, characterData: true };
  const discover = (d) => {
    const roots = [d];
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i];
      if (!observed.has(root)) { observed.add(root); try { observer.observe(root, options); } catch {} }
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) roots.push(el.shadowRoot);
        if (el.localName === 'iframe') { try { if (el.contentDocument) roots.push(el.contentDocument); } catch {} }
      }
    }
    return roots;
  };
  let roots = discover(doc);
  let lastDiscover = performance.now();
  let timedOut = false;
  for (;;) {
    await sleep(50);
    const now = performance.now();
    const current = hook();
    if (current !== doc) { doc = current; last = now; }
    if (!doc) continue;
    if (now - lastDiscover > 400) { roots = discover(doc); lastDiscover = now; }
    if (now - last >= ${quietMs}) break;
    if (now - start > ${maxMs}) { timedOut = true; break; }
  }
  observer.disconnect();
  roots = discover(doc);
  const docs = roots.filter((r) => r.nodeType === 9);
  await Promise.race([Promise.all(docs.map((d) => d.fonts && d.fonts.ready)), sleep(3000)]);
  const waitFor = (el, events) => new Promise((r) => { for (const e of events) el.addEventListener(e, r, { once: true }); });
  const pending = [];
  let pendingMedia = 0;
  for (const root of roots) {
    for (const img of root.querySelectorAll('img')) if (!img.complete) pending.push(waitFor(img, ['load', 'error']));
    for (const v of root.querySelectorAll('video')) {
      if (v.readyState < 2 || v.seeking) { pendingMedia++; pending.push(waitFor(v, ['seeked', 'loadeddata', 'error'])); }
    }
  }
  await Promise.race([Promise.all(pending), sleep(3000)]);
  // A video can report loadeddata while the replica still seeks it to the customer's position.
  const videos = roots.flatMap((root) => Array.from(root.querySelectorAll('video')));
  for (const end = performance.now() + 3000; performance.now() < end && videos.some((v) => v.readyState < 2 || v.seeking); ) await sleep(25);
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { ok: true, timedOut, waitedMs: Math.round(performance.now() - start), pendingMedia };
})()`;

/** Console CSS that lays the replica out at scale 1 at the top left, with no overlays. */
export const UNSCALE_REPLICA_CSS = `
.replica-scaler { position: fixed !important; left: 0 !important; top: 0 !important; transform: none !important; z-index: 2147483646 !important; margin: 0 !important; }
[data-testid=replica] > :not(.replica-scaler) { display: none !important; }
.replica-scaler .replayer-wrapper > :not(iframe) { display: none !important; }
.replica-scaler iframe { display: block !important; border: 0 !important; }
`;

export interface PlaceholderCheck {
  found: boolean;
  width: number;
  height: number;
  label: string;
  tag: string;
  framedDocumentText: string | null;
}

/** Runs in the console: what the replica shows where the customer has `selector` (a cross-origin frame). */
export const REPLICA_PLACEHOLDER = (selector: string): string => `(() => {
  const doc = window.__samepageReplica && window.__samepageReplica.document();
  const el = doc && doc.querySelector(${JSON.stringify(selector)});
  if (!el) return { found: false, width: 0, height: 0, label: '', tag: '', framedDocumentText: null };
  const r = el.getBoundingClientRect();
  let framed = null;
  if (el.localName === 'iframe') { try { framed = el.contentDocument ? (el.contentDocument.body ? el.contentDocument.body.innerText : '') : null; } catch { framed = null; } }
  // A title or aria-label the customer's page put on its <iframe> is no placeholder label:
  // an iframe counts as labelled only when the replica put content in it.
  const label = (el.localName === 'iframe' ? (framed || '') : [el.getAttribute('aria-label'), el.textContent].filter(Boolean).join(' ')).trim();
  return { found: true, width: r.width, height: r.height, label, tag: el.localName, framedDocumentText: framed };
})()`;

/**
 * Runs in the customer's tab (`docExpr` = 'document') or in the console (the replica's document):
 * the value of each check's expression over its element, or a "no element" marker.
 */
export const READ_CHECKS = (checks: readonly { selector: string; value: string }[], docExpr: string): string => `(() => {
  const doc = ${docExpr};
  return [${checks
    .map(
      (c) => `(() => {
    const el = doc && doc.querySelector(${JSON.stringify(c.selector)});
    if (!el) return '(no element ${c.selector.replace(/[`'\\]/g, '')})';
    const win = el.ownerDocument.defaultView;
    try { return String(${c.value}); } catch (e) { return '(error ' + e.message + ')'; }
  })()`,
    )
    .join(', ')}];
})()`;
