/**
 * The sites page's preview: a sample page with a site's redaction rules applied the way the
 * SDK applies them (its own policy functions), rendered as a static document for a sandboxed
 * iframe. Masked values show ••••••, redacted text ▇▇▇▇, blocked elements a grey box.
 */
import { createRedactionPolicy, maskText, maskValue, scrubAttributes, type RedactionRules } from './sdk-redaction.ts';

export const DEFAULT_SAMPLE = `<h2>Checkout</h2>
<p>Hello Jane, your order ships tomorrow.</p>
<p class="account-number">Account 4411 2290 7781</p>
<form>
  <label>Email <input type="email" name="email" value="jane@example.com"></label>
  <label>Password <input type="password" name="password" value="correct horse"></label>
  <label>Card number <input name="cardNumber" autocomplete="cc-number" value="4242 4242 4242 4242"></label>
  <label>Coupon <input name="coupon" class="coupon" value="SPRING10"></label>
</form>
<div class="internal-notes">Internal notes: VIP customer, refund approved.</div>`;

const PREVIEW_CSS = `
body { font: 14px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 16px; color: #111827; background: #fff; }
h1, h2, h3 { margin: 0 0 8px; }
p { margin: 0 0 8px; }
form { display: grid; gap: 8px; max-width: 340px; margin: 12px 0; }
label { display: grid; gap: 2px; font-size: 13px; color: #374151; }
input, textarea, select { font: inherit; padding: 5px 8px; border: 1px solid #d1d5db; border-radius: 6px; }
[data-preview-blocked] { display: block; min-height: 2.4em; min-width: 4em; background: #d1d5db !important; border: 0 !important;
  border-radius: 4px; color: transparent !important; background-image: repeating-linear-gradient(135deg, transparent 0 8px, rgb(255 255 255 / 0.35) 8px 16px) !important; }
`;

/** Content that must not run or load in the preview, whatever the sample says (the iframe has no scripts anyway). */
const ACTIVE = 'script, iframe, frame, object, embed, meta, base, link, portal';
const KEEP_ON_BLOCKED = new Set(['class', 'id', 'style', 'width', 'height', 'type', 'name']);

function makeInert(doc: Document): void {
  for (const el of Array.from(doc.querySelectorAll(ACTIVE))) el.remove();
  for (const el of Array.from(doc.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on') || value.startsWith('javascript:') || attr.name === 'srcdoc') el.removeAttribute(attr.name);
    }
  }
}

/** The outermost blocked elements become grey boxes: no children, no content-bearing attributes. */
function applyBlocks(root: Element, isBlocked: (el: Element) => boolean): void {
  for (const el of Array.from(root.querySelectorAll('*'))) {
    if (!el.isConnected || !isBlocked(el)) continue;
    el.replaceChildren();
    for (const attr of Array.from(el.attributes)) if (!KEEP_ON_BLOCKED.has(attr.name)) el.removeAttribute(attr.name);
    el.setAttribute('data-preview-blocked', '');
  }
}

export interface PreviewResult {
  /** A whole document for `<iframe srcdoc>`. */
  html: string;
  /** Selectors the SDK would ignore because they are not valid CSS. */
  rejected: string[];
}

/** Applies `rules` to `sampleHtml` with the SDK's decisions; runs in the browser (DOMParser). */
export function renderPreview(sampleHtml: string, rules: RedactionRules): PreviewResult {
  const doc = new DOMParser().parseFromString(`<!doctype html><html><head></head><body>${sampleHtml}</body></html>`, 'text/html');
  makeInert(doc);
  const policy = createRedactionPolicy(rules);
  applyBlocks(doc.body, (el) => policy.isBlocked(el));

  for (const el of Array.from(doc.body.querySelectorAll('*'))) {
    if (el.hasAttribute('data-preview-blocked') || el.localName === 'style') continue;
    // Attributes: the same scrub the SDK runs on every serialized element.
    const attrs: Record<string, string> = {};
    for (const attr of Array.from(el.attributes)) attrs[attr.name] = attr.value;
    const scrubbed = scrubAttributes(policy, el, attrs);
    for (const [name, value] of Object.entries(scrubbed)) if (value !== attrs[name]) el.setAttribute(name, String(value));
    // A textarea's value is its text.
    if (el.localName === 'textarea' && policy.isValueMasked(el)) el.textContent = maskValue(el.textContent ?? '');
  }

  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.localName === 'style' || parent.localName === 'textarea') continue;
    if (policy.isTextRedacted(parent)) (node as Text).data = maskText((node as Text).data);
  }

  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${PREVIEW_CSS}</style></head><body>${doc.body.innerHTML}</body></html>`;
  return { html, rejected: [...policy.rejectedSelectors] };
}
