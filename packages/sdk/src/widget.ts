/**
 * widget.js, the built-in UI (loaded by capture.js only with data-widget on): "Get help", the
 * code to read out, the session banner (banner.ts), a "Session ended" toast, all rendered from
 * the session snapshot into the layers capture.js made (layers.ts), in the site's theme; and
 * announcements for screen readers: who joined, who controls the tab, when the session ends.
 * Names from the server go in through textContent only.
 */
import type { SiteTheme } from '@samepage/protocol';
import type { SamepageSnapshot } from './api-types.ts';
import { EN_WIDGET } from './i18n/en.ts';
import type { Layers } from './layers.ts';
import { BANNER_CSS, renderBanner, updateChatButton, type BannerExtras } from './banner.ts';
import { json } from './safe-json.ts';
import { repairJson } from './pristine.ts';
import { t, useTexts } from './text.ts';
import { logo } from './theme.ts';
import { button, el, liveRegion } from './widget-dom.ts';
import { BASE_CSS, applyTheme } from './widget-host.ts';

export { formatViewers } from './banner.ts';

const DARK = '--sp-bg:#1e293b;--sp-fg:#f1f5f9;--sp-muted:#cbd5e1;--sp-line:#334155;--sp-soft:#334155;--sp-field:#64748b;color-scheme:dark';

const CSS =
  BASE_CSS +
  ':host{--sp-brand:#2563eb;--sp-on:#fff;--sp-bg:#fff;--sp-fg:#0f172a;--sp-muted:#475569;--sp-line:#e2e8f0;--sp-soft:#f1f5f9;--sp-field:#94a3b8;color-scheme:light}' +
  `:host([data-mode=dark]){${DARK}}@media (prefers-color-scheme:dark){:host([data-mode=auto]){${DARK}}}` +
  '.sp-btn{transition:filter .15s,transform .15s}.sp-btn:active{transform:scale(.97)}.sp-btn[aria-disabled=true]{opacity:.75;cursor:progress}' +
  '.sp-card{pointer-events:auto;width:300px;padding:20px;border-radius:16px;background:var(--sp-bg);color:var(--sp-fg);' +
  'box-shadow:0 20px 50px rgba(15,23,42,.22),0 2px 6px rgba(15,23,42,.08);border:1px solid var(--sp-line)}' +
  '.sp-head{display:flex;align-items:center;justify-content:space-between;gap:12px}.sp-logo{display:block;height:24px;max-width:120px;object-fit:contain}' +
  '.sp-title{margin:0;font-size:13px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--sp-muted)}' +
  '.sp-code{margin:8px 0 10px;padding-left:12px;border-left:4px solid var(--sp-brand);font-size:38px;line-height:1.1;font-weight:700;letter-spacing:.08em;color:var(--sp-fg);font-variant-numeric:tabular-nums;white-space:nowrap}' +
  '.sp-hint{margin:0 0 16px;font-size:14px;line-height:1.45;color:var(--sp-muted)}' +
  '.sp-ghost{pointer-events:auto;cursor:pointer;border:1px solid var(--sp-field);border-radius:999px;padding:8px 16px;font-size:14px;font-weight:600;background:var(--sp-bg);color:var(--sp-fg)}' +
  '.sp-ghost:hover{background:var(--sp-soft)}' +
  '.sp-toast{margin-bottom:60px;padding:10px 16px;border-radius:12px;background:#0f172a;color:#fff;font-size:14px;box-shadow:0 10px 30px rgba(15,23,42,.3)}' +
  ':host([data-pos^=top]) .sp-toast{margin:60px 0 0}' +
  '.sp-net{position:fixed;top:16px;left:50%;transform:translateX(-50%);margin:0!important}' +
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

export interface WidgetUi {
  render(snapshot: SamepageSnapshot): void;
  /** The Chat button's state (open, unread count), updated in place. */
  setChat(extras: BannerExtras): void;
  /** Set while a session answers an agent's co-browse request: no code to read out. */
  setRequestedBy(agentName: string | null): void;
}

/** What widget.js registers with capture.js. */
export interface WidgetModule {
  create(layers: Layers, actions: WidgetActions, theme: () => SiteTheme, texts: Record<string, string>): WidgetUi;
  /** The English texts of the widget (translated and overridden by capture.js). */
  texts: Record<string, string>;
}

/** "123456" -> "123 456", easier to read out over the phone. */
export function formatCode(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code;
}

/** What screen readers should hear about this change: joins, leaves, control, end. */
function announcement(before: SamepageSnapshot | null, now: SamepageSnapshot): string {
  if (!before) return '';
  if (now.state === 'ended' && (before.state === 'active' || before.state === 'waiting')) return t(now.connection === 'lost' ? 'connectionLost' : 'endedNotice');
  if (now.connection === 'reconnecting' && before.connection !== 'reconnecting') return t('reconnecting');
  const out: string[] = [];
  const name = (id: string, list = now.participants): string => list.find((p) => p.id === id)?.name || t('anAgent');
  for (const p of now.participants) if (!before.participants.some((b) => b.id === p.id)) out.push(t('joined', { name: p.name || t('anAgent') }));
  for (const p of before.participants) if (!now.participants.some((n) => n.id === p.id)) out.push(t('left', { name: p.name || t('anAgent') }));
  const was = before.control.controllerId;
  const is = now.control.controllerId;
  if (is && is !== was) out.push(t('controlGranted', { name: name(is) }));
  else if (!is && was && now.state === 'active') out.push(t('controlBack'));
  return out.join('. ');
}

/**
 * @example
 *   const ui = createWidgetUi(mountLayers(root), { start, cancel, stop, … }, () => theme, texts);
 *   ui.render(host.snapshot());
 */
export function createWidgetUi(layers: Layers, actions: WidgetActions, theme: () => SiteTheme, texts: Record<string, string>): WidgetUi {
  useTexts(texts);
  repairJson(); // this bundle's own copy of safe-json (render keys are JSON)
  const { root, ui, announcer } = layers;
  // The loader's button goes now; if it had the keyboard focus, our first button takes it.
  const ours = [layers.drawingContainer, layers.pointerContainer, ui, layers.panels, layers.modals, announcer];
  let takeFocus = root.activeElement !== null;
  for (const node of [...root.children]) if (!ours.includes(node as HTMLElement)) node.remove();
  layers.addStyle(CSS);
  let lastState = '';
  let toastTimer: ReturnType<typeof setTimeout> | undefined;
  let chat: BannerExtras = { unread: 0, chatOpen: false };
  let requestedBy: string | null = null;
  let current: SamepageSnapshot | null = null;
  let announced: SamepageSnapshot | null = null;

  const render = (snapshot: SamepageSnapshot): void => {
    current = snapshot;
    const th = theme();
    const key = json().stringify([
      snapshot.state,
      snapshot.code,
      snapshot.participants.map((p) => [p.id, p.name, p.role]),
      snapshot.control.controllerId,
      snapshot.policy?.recorded,
      snapshot.policy?.allowGuests,
      snapshot.connection,
      requestedBy,
      th,
    ]);
    if (key === lastState) return;
    const previous = lastState;
    lastState = key;
    applyTheme(root, th);
    const said = announcement(announced, snapshot);
    announced = snapshot;
    if (said) announcer.textContent = said;
    // A keyboard user whose button goes away (Get help -> code card) stays in the widget.
    const hadFocus = takeFocus || ui.contains(root.activeElement);
    takeFocus = false;
    ui.replaceChildren();
    switch (snapshot.state) {
      case 'idle':
      case 'ended': {
        ui.append(button('sp-btn sp-corner', th.text?.getHelp || t('getHelp'), actions.start));
        if (snapshot.state === 'ended' && previous && !previous.startsWith('["ended"')) {
          const lost = snapshot.connection === 'lost';
          const toast = el('div', 'sp-toast sp-corner', t(lost ? 'connectionLost' : 'sessionEnded'));
          ui.append(toast);
          clearTimeout(toastTimer);
          // A lost connection stays said until the customer asks for help again.
          if (!lost) toastTimer = setTimeout(() => toast.remove(), TOAST_MS);
        }
        break;
      }
      case 'starting': {
        const b = button('sp-btn sp-corner', t('connecting'), () => undefined);
        b.setAttribute('aria-disabled', 'true'); // not `disabled`: it keeps a keyboard user's focus
        ui.append(b);
        break;
      }
      case 'waiting': {
        const card = el('section', 'sp-card sp-corner');
        const head = el('div', 'sp-head');
        const image = logo(th);
        if (requestedBy !== null) {
          liveRegion(card);
          card.append(el('p', 'sp-hint', t('connectingWith', { name: requestedBy || t('yourAgent') })), button('sp-ghost', t('cancel'), actions.cancel));
          if (image) card.prepend(image);
          ui.append(card);
          break;
        }
        card.setAttribute('aria-label', t('codeLabel'));
        // Shown grouped ("123 456"), read out digit by digit.
        const code = el('p', 'sp-code');
        const shown = el('span', '', formatCode(snapshot.code ?? ''));
        shown.setAttribute('aria-hidden', 'true');
        code.append(shown, el('span', 'sp-sr', (snapshot.code ?? '').split('').join(' ')));
        head.append(el('h2', 'sp-title', t('yourCode')));
        if (image) head.append(image);
        card.append(head, code, el('p', 'sp-hint', t('codeHint')), button('sp-ghost', t('cancel'), actions.cancel));
        ui.append(card);
        break;
      }
      case 'active':
        ui.append(renderBanner(snapshot, chat, actions));
        break;
    }
    if (snapshot.connection === 'reconnecting' && (snapshot.state === 'active' || snapshot.state === 'waiting')) {
      ui.append(el('div', 'sp-toast sp-net', t('reconnecting')));
    }
    if (hadFocus) ui.querySelector<HTMLElement>('button')?.focus();
  };

  return {
    render,
    setChat(extras) {
      chat = extras;
      const b = ui.querySelector<HTMLButtonElement>('.sp-chat-btn');
      if (b) updateChatButton(b, extras);
    },
    setRequestedBy(name) {
      requestedBy = name;
      if (current) render(current);
    },
  };
}

export const widgetModule: WidgetModule = { create: createWidgetUi, texts: EN_WIDGET };
