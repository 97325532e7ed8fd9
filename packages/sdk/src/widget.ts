/**
 * The visitor's UI inside the widget's shadow root: "Get help", the code to read out, the
 * "is viewing this tab" banner with Stop, and a "Session ended" toast. Rendered from the
 * session snapshot; names from the server go in through textContent only.
 */
import type { Participant } from '@samepage/protocol';
import type { SamepageSnapshot } from './api-types.ts';
import { BASE_CSS } from './widget-host.ts';

const CSS =
  BASE_CSS +
  '.sp-btn[disabled]{opacity:.7;cursor:progress}' +
  '.sp-card{pointer-events:auto;position:fixed;right:20px;bottom:20px;width:280px;padding:20px;border-radius:16px;background:#fff;color:#0f172a;' +
  'box-shadow:0 20px 50px rgba(15,23,42,.22),0 2px 6px rgba(15,23,42,.08);border:1px solid #e2e8f0}' +
  '.sp-title{margin:0 0 4px;font-size:13px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#64748b}' +
  '.sp-code{margin:4px 0 8px;font-size:40px;font-weight:700;letter-spacing:.08em;color:#2563eb;font-variant-numeric:tabular-nums}' +
  '.sp-hint{margin:0 0 16px;font-size:14px;line-height:1.45;color:#475569}' +
  '.sp-ghost{pointer-events:auto;cursor:pointer;border:1px solid #cbd5e1;border-radius:999px;padding:8px 16px;font-size:14px;font-weight:600;background:#fff;color:#0f172a}' +
  '.sp-ghost:hover{background:#f1f5f9}.sp-ghost:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}' +
  '.sp-banner{pointer-events:auto;position:fixed;top:12px;left:50%;transform:translateX(-50%);display:flex;align-items:center;gap:14px;' +
  'padding:8px 8px 8px 16px;border-radius:999px;background:#2563eb;color:#fff;font-size:14px;font-weight:500;box-shadow:0 10px 30px rgba(37,99,235,.35);max-width:calc(100vw - 24px)}' +
  '.sp-dot{width:8px;height:8px;border-radius:50%;background:#4ade80;box-shadow:0 0 0 3px rgba(74,222,128,.3);flex:none}' +
  '.sp-stop{pointer-events:auto;cursor:pointer;border:0;border-radius:999px;padding:6px 14px;font-size:13px;font-weight:700;background:#fff;color:#b91c1c}' +
  '.sp-stop:hover{background:#fee2e2}.sp-stop:focus-visible{outline:3px solid #fecaca;outline-offset:2px}' +
  '.sp-toast{position:fixed;right:20px;bottom:76px;padding:10px 16px;border-radius:12px;background:#0f172a;color:#fff;font-size:14px;box-shadow:0 10px 30px rgba(15,23,42,.3)}' +
  '.sp-pointer{position:fixed;top:0;left:0;pointer-events:none;transition:transform 60ms linear;will-change:transform}' +
  '.sp-pointer span{position:absolute;left:16px;top:18px;padding:2px 8px;border-radius:6px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}';

export const TOAST_MS = 4000;

export interface WidgetActions {
  start(): void;
  cancel(): void;
  stop(): void;
}

export interface Widget {
  render(snapshot: SamepageSnapshot): void;
  /** Where the pointer layer draws. */
  pointerContainer: HTMLElement;
}

/** "Ann", "Ann and Bob", "Ann, Bob and Cy". */
export function formatViewers(participants: readonly Participant[]): string {
  const names = participants.map((p) => p.name || 'An agent');
  if (names.length <= 1) return `${names[0] ?? 'An agent'} is viewing this tab`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are viewing this tab`;
}

/** "123456" -> "123 456", easier to read out over the phone. */
export function formatCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(className: string, text: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'button';
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** Screen readers announce who is watching, and that it ended, without stealing focus. */
function liveRegion<T extends HTMLElement>(node: T): T {
  node.setAttribute('role', 'status');
  node.setAttribute('aria-live', 'polite');
  return node;
}

/**
 * @example
 *   const widget = mountWidget(root, true, { start, cancel, stop });
 *   widget.render(host.snapshot());
 */
export function mountWidget(root: ShadowRoot, visible: boolean, actions: WidgetActions): Widget {
  root.replaceChildren();
  const style = document.createElement('style');
  style.textContent = CSS;
  const ui = el('div', 'sp-ui');
  const pointerContainer = el('div', 'sp-pointers');
  pointerContainer.setAttribute('aria-hidden', 'true');
  root.append(style, ui, pointerContainer);

  let lastState = '';
  let toastTimer: ReturnType<typeof setTimeout> | undefined;

  const render = (snapshot: SamepageSnapshot): void => {
    if (!visible) return;
    const key = JSON.stringify([snapshot.state, snapshot.code, snapshot.participants.map((p) => p.name)]);
    if (key === lastState) return;
    const previous = lastState;
    lastState = key;
    ui.replaceChildren();
    switch (snapshot.state) {
      case 'idle':
      case 'ended': {
        ui.append(button('sp-btn sp-launcher', 'Get help', actions.start));
        if (snapshot.state === 'ended' && previous && !previous.startsWith('["ended"')) {
          const toast = liveRegion(el('div', 'sp-toast', 'Session ended'));
          ui.append(toast);
          clearTimeout(toastTimer);
          toastTimer = setTimeout(() => toast.remove(), TOAST_MS);
        }
        break;
      }
      case 'starting': {
        const b = button('sp-btn sp-launcher', 'Connecting…', () => undefined);
        b.disabled = true;
        ui.append(b);
        break;
      }
      case 'waiting': {
        const card = el('section', 'sp-card');
        card.setAttribute('aria-label', 'Samepage support code');
        const code = el('p', 'sp-code', formatCode(snapshot.code ?? ''));
        code.setAttribute('aria-label', (snapshot.code ?? '').split('').join(' '));
        card.append(
          el('h2', 'sp-title', 'Your code'),
          code,
          el('p', 'sp-hint', 'Read this code to your support agent. They will see this tab, never your passwords or card details.'),
          button('sp-ghost', 'Cancel', actions.cancel),
        );
        ui.append(card);
        break;
      }
      case 'active': {
        const banner = liveRegion(el('div', 'sp-banner'));
        banner.append(el('span', 'sp-dot'), el('span', 'sp-names', formatViewers(snapshot.participants)));
        banner.append(button('sp-stop', 'Stop', actions.stop, 'Stop sharing'));
        ui.append(banner);
        break;
      }
    }
  };

  return { render, pointerContainer };
}
