/**
 * Rewriting the URLs inside CSS text: `url(...)` in any form and `@import "..."`. Used by the
 * console (stylesheets in the replica) and the server's asset proxy (stylesheets it serves), so
 * both route the same references the same way. A tokenizer would be exact; these patterns cover
 * what browsers accept in practice and never touch text outside the matched references.
 */

/** Where a reference sits: inside an `@font-face` rule (a font), an `@import`, or anywhere else. */
export type CssUrlContext = 'font' | 'import' | 'other';

/** Returns the new URL, or null to leave the reference as it is. */
export type CssUrlMapper = (url: string, context: CssUrlContext) => string | null;

const URL_FN = /url\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|([^"'()\s]+))\s*\)/gi;
const IMPORT_STRING = /@import\s+(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')/gi;
const FONT_FACE = /@font-face\s*\{[^}]*\}/gi;

/** A URL as a CSS string token, safe inside `url("...")`. */
function quote(url: string): string {
  return `"${url.replace(/["\\\n\r]/g, (c) => (c === '\n' ? '\\a ' : c === '\r' ? '\\d ' : `\\${c}`))}"`;
}

function unescapeCss(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

function rewriteUrlFunctions(css: string, context: CssUrlContext, map: CssUrlMapper): string {
  return css.replace(URL_FN, (whole, dq?: string, sq?: string, bare?: string) => {
    const raw = unescapeCss(dq ?? sq ?? bare ?? '').trim();
    if (!raw) return whole;
    const next = map(raw, context);
    return next === null ? whole : `url(${quote(next)})`;
  });
}

/**
 * @example
 *   rewriteCssUrls('a{background:url(/a.png)}', (url) => `/proxy?u=${encodeURIComponent(url)}`)
 */
export function rewriteCssUrls(css: string, map: CssUrlMapper): string {
  if (!/url\(|@import/i.test(css)) return css;
  // Font faces first, so their url()s get the 'font' context; they are held out of the general
  // pass behind placeholders (NUL cannot appear in a stylesheet browsers accept).
  const fontParts: string[] = [];
  let out = css.includes('\u0000') ? css : css.replace(FONT_FACE, (block) => {
    fontParts.push(rewriteUrlFunctions(block, 'font', map));
    return `\u0000${fontParts.length - 1}\u0000`;
  });
  out = out.replace(IMPORT_STRING, (whole, dq?: string, sq?: string) => {
    const raw = unescapeCss(dq ?? sq ?? '').trim();
    const next = raw ? map(raw, 'import') : null;
    return next === null ? whole : `@import ${quote(next)}`;
  });
  out = rewriteUrlFunctions(out, 'other', map);
  return out.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => fontParts[Number(i)] ?? '');
}

/** Every `url()` and `@import` target in CSS text, with its context (for collecting, not rewriting). */
export function listCssUrls(css: string): Array<{ url: string; context: CssUrlContext }> {
  const found: Array<{ url: string; context: CssUrlContext }> = [];
  rewriteCssUrls(css, (url, context) => {
    found.push({ url, context });
    return null;
  });
  return found;
}
