/**
 * SDK option `inlineAssets`: the customer's tab supplies the assets of its own origin that an
 * agent's browser may not be able to fetch (an intranet host, images and fonts behind the
 * customer's login). It finds the images, picture sources, SVG images, inline-style and
 * stylesheet `url()`s of the page's origin, fetches each once with the page's own credentials
 * (same-origin only), and uploads the bytes to the session's asset store on the Samepage server,
 * which serves them to the session's agents through the asset proxy. Only asset bytes: nothing
 * inside a blocked element, no page text, no input values; each asset and the total are capped.
 * In an end-to-end encrypted session (`stream` given) nothing is uploaded: the images and fonts
 * travel sealed inside the DOM stream instead (asset-inline.ts).
 * Loaded as /sdk/assets.js, only when the option is on.
 */
import { createInlineAssets, type AssetStream } from './asset-inline.ts';

// Not the protocol package's CSS helper: importing it would pull its schemas into this small bundle.
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^"'()\s]+))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi;

/** The url() and @import targets of CSS text. */
export function cssUrls(css: string): string[] {
  const out: string[] = [];
  for (const m of css.matchAll(CSS_URL)) {
    const url = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5];
    if (url) out.push(url);
  }
  return out;
}

export interface AssetSupplyOptions {
  server: string;
  sessionId: string;
  resumeToken: string;
  isBlocked(el: Element): boolean;
  onError(error: unknown): void;
  /** Largest single asset uploaded (the server caps it too). */
  maxAssetBytes?: number;
  /** All uploads of this page together. */
  maxTotalBytes?: number;
  /** End-to-end encrypted session: assets go into every keyframe of this stream, never to the server. */
  stream?: AssetStream;
}

const MAX_ASSET_BYTES = 5 * 1024 * 1024;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;
const RESCAN_DELAY_MS = 400;
const CONCURRENCY = 2;
/** Under encryption every keyframe carries the assets again: smaller caps. */
const INLINE_MAX_ASSET_BYTES = 2 * 1024 * 1024;
const INLINE_MAX_TOTAL_BYTES = 4 * 1024 * 1024;

function sameOrigin(raw: string | null | undefined, base: string): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw.trim(), base);
    url.hash = '';
    return url.origin === location.origin && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : null;
  } catch {
    return null;
  }
}

function srcsetUrls(value: string | null): string[] {
  return (value ?? '').split(',').map((c) => c.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}

function collectRules(rules: CSSRuleList, base: string, out: Set<string>): void {
  for (const rule of Array.from(rules)) {
    const imported = (rule as CSSImportRule).styleSheet;
    if (imported) collectSheet(imported, out);
    // A rule's text includes its nested rules (@media, @supports, CSS nesting).
    else for (const url of cssUrls(rule.cssText)) add(out, sameOrigin(url, base));
  }
}

function collectSheet(sheet: CSSStyleSheet, out: Set<string>): void {
  const owner = sheet.ownerNode as Element | null;
  let rules: CSSRuleList;
  try {
    rules = sheet.cssRules; // throws for other origins' sheets: those are not ours to supply
  } catch {
    return;
  }
  if (owner && owner.nodeType === 1 && owner.closest('[data-samepage-block]')) return;
  collectRules(rules, sheet.href ?? document.baseURI, out);
}

function add(out: Set<string>, url: string | null): void {
  if (url) out.add(url);
}

/** Every same-origin asset URL of the page outside blocked elements. */
export function collectAssetUrls(doc: Document, isBlocked: (el: Element) => boolean): Set<string> {
  const out = new Set<string>();
  const base = doc.baseURI;
  for (const el of Array.from(doc.querySelectorAll('img, source, image, [style*="url("]'))) {
    if (isBlocked(el)) continue;
    add(out, sameOrigin(el.getAttribute('src'), base));
    if (el.tagName === 'IMG') add(out, sameOrigin((el as HTMLImageElement).currentSrc, base));
    for (const url of srcsetUrls(el.getAttribute('srcset'))) add(out, sameOrigin(url, base));
    add(out, sameOrigin(el.getAttribute('href') ?? el.getAttribute('xlink:href'), base));
    for (const url of cssUrls(el.getAttribute('style') ?? '')) add(out, sameOrigin(url, base));
  }
  for (const sheet of [...Array.from(doc.styleSheets), ...(doc.adoptedStyleSheets ?? [])]) collectSheet(sheet, out);
  return out;
}

/**
 * Starts supplying; returns the stop function. Never throws into the page.
 *
 * @example const stop = startAssetSupply({ server, sessionId, resumeToken, isBlocked: policy.isBlocked, onError: report });
 */
export function startAssetSupply(o: AssetSupplyOptions): () => void {
  const maxAsset = o.maxAssetBytes ?? (o.stream ? INLINE_MAX_ASSET_BYTES : MAX_ASSET_BYTES);
  let budget = o.maxTotalBytes ?? (o.stream ? INLINE_MAX_TOTAL_BYTES : MAX_TOTAL_BYTES);
  const seen = new Set<string>();
  const queue: string[] = [];
  let running = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const auth = { 'x-samepage-session': o.sessionId, 'x-samepage-key': o.resumeToken };
  const inline = o.stream ? createInlineAssets(o.stream, () => running > 0 || queue.length > 0) : null;

  const upload = async (url: string): Promise<void> => {
    const res = await fetch(url, { credentials: 'same-origin', cache: 'force-cache' });
    const declared = Number(res.headers.get('content-length'));
    if (!res.ok || declared > maxAsset) return;
    const blob = await res.blob();
    if (blob.size > maxAsset || blob.size > budget || stopped) return;
    const type = blob.type || res.headers.get('content-type') || 'application/octet-stream';
    budget -= blob.size;
    if (inline) {
      if (!(await inline.add(url, blob, type))) budget += blob.size;
      return;
    }
    await fetch(`${o.server}/assets/session/asset`, {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { ...auth, 'content-type': type, 'x-samepage-asset-url': url },
      body: blob,
    });
  };

  const pump = (): void => {
    while (!stopped && running < CONCURRENCY && queue.length) {
      const url = queue.shift()!;
      running += 1;
      upload(url)
        .catch(() => undefined) // an asset that cannot be fetched or sent is simply not supplied
        .finally(() => {
          running -= 1;
          pump();
        });
    }
  };

  const scan = (): void => {
    timer = undefined;
    if (stopped) return;
    try {
      const fresh = [...collectAssetUrls(document, o.isBlocked)].filter((url) => !seen.has(url));
      if (!fresh.length) return;
      for (const url of fresh) seen.add(url);
      if (inline) {
        queue.push(...fresh);
        return pump();
      }
      // Announce first, so the proxy waits for these instead of trying the site itself.
      fetch(`${o.server}/assets/session/manifest`, { method: 'POST', mode: 'cors', credentials: 'omit', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ urls: fresh }) })
        .catch(() => undefined)
        .finally(() => {
          queue.push(...fresh);
          pump();
        });
    } catch (error) {
      o.onError(error);
    }
  };

  const schedule = (): void => {
    if (!stopped && timer === undefined) timer = setTimeout(scan, RESCAN_DELAY_MS);
  };
  const observer = new MutationObserver(schedule);
  try {
    observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['src', 'srcset', 'style', 'href', 'class'] });
  } catch (error) {
    o.onError(error);
  }
  scan();
  return () => {
    stopped = true;
    clearTimeout(timer);
    observer.disconnect();
    inline?.stop();
  };
}
