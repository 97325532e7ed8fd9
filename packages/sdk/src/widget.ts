/**
 * The visitor's UI inside the widget's shadow root: "Get help", the code to read out, the
 * session banner (banner.ts), and a "Session ended" toast, rendered from the session snapshot;
 * plus the layers that other parts draw into: drawings, pointers, panels (chat, invite) and
 * modal prompts. Names from the server go in through textContent only.
 */
import type { SamepageSnapshot } from './api-types.ts';
import { BANNER_CSS, renderBanner, updateChatButton, type BannerExtras } from './banner.ts';
import { button, el, liveRegion } from './widget-dom.ts';
import { BASE_CSS } from './widget-host.ts';

export { formatViewers } from './banner.ts';

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
  '.sp-toast{position:fixed;right:20px;bottom:76px;padding:10px 16px;border-radius:12px;background:#0f172a;color:#fff;font-size:14px;box-shadow:0 10px 30px rgba(15,23,42,.3)}' +
  '.sp-pointer{position:fixed;top:0;left:0;pointer-events:none;transition:transform 60ms linear;will-change:transform}' +
  '.sp-pointer span{position:absolute;left:16px;top:18px;padding:2px 8px;border-radius:6px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}' +
  BANNER_CSS;

export const TOAST_MS = 4000;

export interface WidgetActions {
  start(): void;
  cancel(): void;
  stop(): void;
  takeBack(): void;
  toggleChat(): void;
  invite(): void;
}

export interface Widget {
  render(snapshot: SamepageSnapshot): void;
  /** The Chat button's state (open, unread count), updated in place. */
  setChat(extras: BannerExtras): void;
  /** Set while a session answers an agent's co-browse request: no code to read out. */
  setRequestedBy(agentName: string | null): void;
  /** Adds CSS for parts that come later (collab.js brings its own). */
  addStyle(css: string): void;
  /** Where the pointer layer draws. */
  pointerContainer: HTMLElement;
  drawingContainer: HTMLElement;
  /** Chat and invite panels. */
  panels: HTMLElement;
  /** Consent prompts. */
  modals: HTMLElement;
}

/** "123456" -> "123 456", easier to read out over the phone. */
export function formatCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
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
  const drawingContainer = el('div', 'sp-drawings');
  const pointerContainer = el('div', 'sp-pointers');
  pointerContainer.setAttribute('aria-hidden', 'true');
  const panels = el('div', 'sp-panels');
  const modals = el('div', 'sp-modals');
  root.append(style, drawingContainer, pointerContainer, ui, panels, modals);

  let lastState = '';
  let toastTimer: ReturnType<typeof setTimeout> | undefined;
  let chat: BannerExtras = { unread: 0, chatOpen: false };
  let requestedBy: string | null = null;
  let current: SamepageSnapshot | null = null;

  const render = (snapshot: SamepageSnapshot): void => {
    current = snapshot;
    if (!visible) return;
    const key = JSON.stringify([
      snapshot.state,
      snapshot.code,
      snapshot.participants.map((p) => [p.id, p.name, p.role]),
      snapshot.control.controllerId,
      snapshot.policy?.recorded,
      snapshot.policy?.allowGuests,
      requestedBy,
    ]);
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
        if (requestedBy !== null) {
          const card = liveRegion(el('section', 'sp-card'));
          card.append(el('p', 'sp-hint', `Connecting you with ${requestedBy || 'your agent'}…`), button('sp-ghost', 'Cancel', actions.cancel));
          ui.append(card);
          break;
        }
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
      case 'active':
        ui.append(renderBanner(snapshot, chat, actions));
        break;
    }
  };

  return {
    render,
    addStyle(css) {
      const extra = document.createElement('style');
      extra.textContent = css;
      style.after(extra);
    },
    setChat(extras) {
      chat = extras;
      const b = ui.querySelector<HTMLButtonElement>('.sp-chat-btn');
      if (b) updateChatButton(b, extras);
    },
    setRequestedBy(name) {
      requestedBy = name;
      if (current) render(current);
    },
    pointerContainer,
    drawingContainer,
    panels,
    modals,
  };
}
