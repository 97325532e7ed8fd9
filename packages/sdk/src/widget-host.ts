/**
 * The one element the SDK adds to the page: `<samepage-widget>`, a 0x0 host whose shadow root
 * holds all of our UI (launcher, code card, banner, agent pointers). The recorder blocks it, so
 * it never appears in the agent's replica, and the shadow root keeps the page's CSS out.
 */
import { WIDGET_TAG } from './redaction.ts';

export const HOST_STYLE =
  'all:initial;position:fixed;top:0;left:0;width:0;height:0;overflow:visible;z-index:2147483647;pointer-events:none';

/** Base CSS shared by the loader's launcher and the capture bundle's widget. */
export const BASE_CSS =
  ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
  '.sp-btn{pointer-events:auto;cursor:pointer;border:0;border-radius:999px;padding:10px 18px;font-size:15px;font-weight:600;' +
  'background:#2563eb;color:#fff;box-shadow:0 6px 20px rgba(37,99,235,.35);transition:background .15s,transform .15s}' +
  '.sp-btn:hover{background:#1d4ed8}.sp-btn:active{transform:scale(.97)}' +
  '.sp-btn:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}' +
  '.sp-launcher{position:fixed;right:20px;bottom:20px}';

export function createWidgetRoot(): ShadowRoot {
  const host = document.createElement(WIDGET_TAG);
  host.setAttribute('style', HOST_STYLE);
  const root = host.attachShadow({ mode: 'open' });
  document.documentElement.appendChild(host);
  return root;
}
