/**
 * The redaction policy: which values, texts and elements must never leave the customer's tab.
 * Pure functions over live Elements, so the same decisions serve rrweb's hooks and our own
 * post-processing of its events (event-scrubber.ts). Tested in a real browser.
 *
 * Masks are constants so that they never reveal the length of what they hide.
 */
export const MASKED_VALUE = '••••••';
export const MASKED_TEXT = '▇▇▇▇';

export const REDACT_ATTRIBUTE = 'data-samepage-redact';
export const BLOCK_ATTRIBUTE = 'data-samepage-block';
export const ALLOW_ATTRIBUTE = 'data-samepage-allow';
/** The SDK's own UI host; blocked so the widget never appears in the agent's replica. */
export const WIDGET_TAG = 'samepage-widget';

/** Attributes that carry text a person typed or the page shows as words. */
export const SCRUBBED_ATTRIBUTES = ['value', 'placeholder', 'title', 'aria-label', 'alt'] as const;

export interface RedactionRules {
  redact: string[];
  block: string[];
  allow: string[];
}

export interface RedactionPolicy {
  /** For rrweb's maskTextSelector. */
  readonly maskTextSelector: string;
  /** For rrweb's blockSelector. */
  readonly blockSelector: string;
  readonly allowSelector: string;
  /** Selectors from the server that were not valid CSS and were ignored. */
  readonly rejectedSelectors: string[];
  isFormField(el: Element): boolean;
  isSensitiveField(el: Element): boolean;
  isValueMasked(el: Element): boolean;
  isTextRedacted(el: Element): boolean;
  isBlocked(el: Element): boolean;
  /** True when value, placeholder, title, aria-label and alt must be blanked. */
  needsAttributeScrub(el: Element): boolean;
  /** rrweb's maskInputFn. */
  maskInput(value: string, el: Element | null): string;
  /** rrweb's maskTextFn. */
  maskText(text: string, el: Element | null): string;
}

const FORM_FIELDS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Input types whose value is a label or a state, not something the visitor typed. */
const LABEL_INPUT_TYPES = new Set(['checkbox', 'radio', 'submit', 'button', 'reset', 'image']);

// Matched against name/id/autocomplete/aria-label/placeholder after splitting camelCase and
// punctuation into words, so "cardNumber", "card-number" and "Card number" all match while
// "businessName" does not match "ssn".
const SENSITIVE_WORDS = [
  /\b(cc|card|credit ?card) ?(num|number|no|nr)\b/,
  /\bcardnumber\b|\bccnum(ber)?\b|\bcredit ?card\b|\bpan\b/,
  /\b(cvc|cvv|cvn|csc|cvc2|cvv2)\b/,
  /\bsecurity ?code\b|\bcard ?(code|verification|check)\b/,
  /\b(expiry|expiration|expires?|exp)\b|\bexp ?(date|month|year|mm|yy)\b|\bcc ?exp\b|\bmm ?\/ ?yy\b/,
  /\bssn\b|\bsocial ?security\b|\biban\b/,
];

function toWords(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9/]+/g, ' ');
}

function hasSensitiveAutocomplete(el: Element): boolean {
  const tokens = (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
  return tokens.some((t) => t.startsWith('cc-') || t === 'one-time-code');
}

function looksLikeCardField(el: Element): boolean {
  for (const attr of ['name', 'id', 'autocomplete', 'aria-label', 'placeholder', 'data-stripe']) {
    const raw = el.getAttribute(attr);
    if (!raw) continue;
    const words = toWords(raw);
    if (SENSITIVE_WORDS.some((re) => re.test(words))) return true;
  }
  return false;
}

/** Keeps the selectors that the browser accepts: one bad rule from a tenant must not break capture. */
function validSelectors(list: readonly string[], rejected: string[]): string[] {
  const probe = typeof document !== 'undefined' ? document.createDocumentFragment() : null;
  const out: string[] = [];
  for (const raw of list) {
    const selector = raw.trim();
    if (!selector) continue;
    try {
      probe?.querySelector(selector);
      out.push(selector);
    } catch {
      rejected.push(selector);
    }
  }
  return out;
}

function closestMatch(el: Element, selector: string): boolean {
  try {
    return el.closest(selector) !== null;
  } catch {
    return false;
  }
}

/**
 * Builds the policy from the defaults plus the site's rules (from `welcome.redaction`).
 *
 * @example
 *   const policy = createRedactionPolicy({ redact: ['.account-number'], block: [], allow: [] });
 *   policy.isValueMasked(document.querySelector('input[name=email]')!); // true (default)
 */
export function createRedactionPolicy(rules?: Partial<RedactionRules>): RedactionPolicy {
  const rejectedSelectors: string[] = [];
  const maskTextSelector = [`[${REDACT_ATTRIBUTE}]`, ...validSelectors(rules?.redact ?? [], rejectedSelectors)].join(',');
  const blockSelector = [`[${BLOCK_ATTRIBUTE}]`, WIDGET_TAG, ...validSelectors(rules?.block ?? [], rejectedSelectors)].join(',');
  const allowSelector = [`[${ALLOW_ATTRIBUTE}]`, ...validSelectors(rules?.allow ?? [], rejectedSelectors)].join(',');

  const isFormField = (el: Element): boolean => FORM_FIELDS.has(el.tagName.toUpperCase());

  const isSensitiveField = (el: Element): boolean => {
    if (!isFormField(el)) return false;
    if ((el.getAttribute('type') ?? '').toLowerCase() === 'password') return true;
    // rrweb marks inputs that were once passwords (show/hide toggles) with this attribute.
    if (el.hasAttribute('data-rr-is-password')) return true;
    return hasSensitiveAutocomplete(el) || looksLikeCardField(el);
  };

  const isTextRedacted = (el: Element): boolean => closestMatch(el, maskTextSelector);
  const isBlocked = (el: Element): boolean => closestMatch(el, blockSelector);

  // The same OR as "sensitive, redacted, blocked or not allowed", cheapest test first: most
  // fields are outside any allow area, so one closest() settles them. rrweb calls this for every
  // field inside its one synchronous snapshot (docs/PERFORMANCE.md, "Snapshot slicing").
  const isValueMasked = (el: Element): boolean => {
    if (!isFormField(el)) return false;
    if (!closestMatch(el, allowSelector)) return true;
    return isSensitiveField(el) || isTextRedacted(el) || isBlocked(el);
  };

  const needsAttributeScrub = (el: Element): boolean =>
    isTextRedacted(el) || isBlocked(el) || isSensitiveField(el);

  return {
    maskTextSelector,
    blockSelector,
    allowSelector,
    rejectedSelectors,
    isFormField,
    isSensitiveField,
    isValueMasked,
    isTextRedacted,
    isBlocked,
    needsAttributeScrub,
    maskInput: (value, el) => (el && !isValueMasked(el) ? value : maskValue(value)),
    maskText: (text) => maskText(text),
  };
}

/** A masked value: empty stays empty (nothing to hide), anything else is one constant. */
export function maskValue(value: string): string {
  return value === '' ? '' : MASKED_VALUE;
}

/** Masked text: whitespace stays (it carries layout only), anything else is one constant. */
export function maskText(text: string): string {
  return text.trim() === '' ? text : MASKED_TEXT;
}

/** Whether a field's `value` is a label (checkbox, submit...) rather than something typed. */
export function hasLabelValue(el: Element): boolean {
  return el.tagName === 'INPUT' && LABEL_INPUT_TYPES.has((el.getAttribute('type') ?? '').toLowerCase());
}

/** Whether an element lies in a redacted or a blocked area, when the caller already asked. */
export interface ElementArea {
  redacted: boolean;
  blocked: boolean;
}

/**
 * Returns the attributes with everything that must not leave the tab masked. Used on the
 * serialized attributes of rrweb events; `attrs` is copied, never mutated. `area`, when given,
 * must be `policy.isTextRedacted(el)` and `policy.isBlocked(el)` (saves asking twice per node).
 */
export function scrubAttributes<T>(policy: RedactionPolicy, el: Element, attrs: Record<string, T>, area?: ElementArea): Record<string, T | string> {
  const out: Record<string, T | string> = { ...attrs };
  const scrubAll = area ? area.redacted || area.blocked || policy.isSensitiveField(el) : policy.needsAttributeScrub(el);
  const maskFieldValue = policy.isValueMasked(el) && !(hasLabelValue(el) && !scrubAll);
  for (const name of Object.keys(out)) {
    const lower = name.toLowerCase();
    const value = out[name];
    if (typeof value !== 'string') continue;
    if (lower === 'value' && (maskFieldValue || scrubAll)) out[name] = maskValue(value);
    else if (scrubAll && (SCRUBBED_ATTRIBUTES as readonly string[]).includes(lower)) out[name] = value === '' ? '' : MASKED_TEXT;
  }
  return out;
}
