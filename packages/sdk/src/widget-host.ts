/**
 * The one element the SDK adds to the page: `<samepage-widget>`, a fixed, click-through 0x0
 * host whose shadow root holds all of our UI (launcher, code card, banner,
 * prompts, chat, agent pointers, drawings). The recorder blocks it, so it never appears in the
 * agent's replica; the shadow root keeps the page's CSS out and ours in. Styles go in through
 * constructable stylesheets (`adoptedStyleSheets`), which a strict CSP without
 * 'unsafe-inline' allows, with a <style> fallback for older browsers. The host's own
 * declarations are set through the CSSOM (also allowed by such a CSP) and repeated in `:host`
 * with !important, which beats the page's !important rules.
 */
import type { SiteTheme } from '@samepage/protocol';
import { WIDGET_TAG } from './redaction.ts';

// `all:initial !important` resets everything the page could set on us (display, visibility,
// opacity, transform…); then the few values we need, all !important. A 0x0 box: the parts
// inside are fixed to the viewport, and the recorder's placeholder for us takes no room in the
// agent's replica. `contain: style` keeps our counters and quotes to ourselves; layout or
// paint containment would make this 0x0 box the parts' containing block.
const HOST_DECLS =
  'all:initial!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;z-index:2147483647!important;pointer-events:none!important;contain:style!important';

export const HOST_STYLE = HOST_DECLS;

/** The launcher's CSS (loader), also part of the widget's. Colours default until the theme's variables are set. */
export const BASE_CSS =
  `:host{${HOST_DECLS}}` +
  '*{box-sizing:border-box;font-family:system-ui,sans-serif}' +
  '.sp-btn{pointer-events:auto;cursor:pointer;border:0;border-radius:999px;padding:11px 20px;font:600 15px/1.2 system-ui,sans-serif;' +
  'background:var(--sp-brand,#2563eb);color:var(--sp-on,#fff);box-shadow:0 6px 20px rgba(15,23,42,.25)}.sp-btn:hover{filter:brightness(.92)}' +
  ':focus-visible{outline:3px solid var(--sp-brand,#2563eb);outline-offset:2px}' +
  '.sp-corner{position:fixed;right:20px;bottom:20px;max-width:calc(100vw - 40px)}' +
  ':host([data-pos$=left]) .sp-corner{right:auto;left:20px}:host([data-pos^=top]) .sp-corner{bottom:auto;top:20px}' +
  '@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}';

/** Adds CSS to the shadow root: a constructed stylesheet, or a <style> element where that is unsupported. */
export function addCss(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement('style');
    style.textContent = css;
    root.prepend(style);
  }
}

/** White or near-black text, whichever reads better on the brand colour (WCAG relative luminance). */
export function onColor(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => (parseInt(hex.slice(i, i + 2), 16) / 255) ** 2.2);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! < 0.198 ? '#fff' : '#111';
}

/**
 * Corner, light/dark mode and brand colour: attributes and custom properties on the host. A
 * field the theme no longer has goes back to the default (the console's live preview re-themes
 * the same host).
 */
export function applyTheme(root: ShadowRoot, theme: SiteTheme): void {
  const host = root.host as HTMLElement;
  host.setAttribute('data-pos', theme.position || ''); // default: bottom-right
  host.setAttribute('data-mode', theme.mode || ''); // default: light
  const brand = theme.brandColor;
  const style = host.style;
  if (brand && /^#[0-9a-f]{6}$/i.test(brand)) {
    style.setProperty('--sp-brand', brand, 'important');
    style.setProperty('--sp-on', onColor(brand), 'important');
  } else {
    style.removeProperty('--sp-brand');
    style.removeProperty('--sp-on');
  }
}

export function createWidgetRoot(): ShadowRoot {
  const host = document.createElement(WIDGET_TAG);
  host.style.cssText = HOST_STYLE;
  const root = host.attachShadow({ mode: 'open' });
  document.documentElement.appendChild(host);
  return root;
}

const LANGS = ['en', 'fr', 'de', 'es'];

/** The first supported language among the candidates (e.g. "fr-CA" -> "fr"), else English. */
export function pickLang(...candidates: (string | null | undefined)[]): string {
  for (const c of candidates) {
    const lang = (c ?? '').slice(0, 2).toLowerCase();
    if (LANGS.includes(lang)) return lang;
  }
  return 'en';
}
