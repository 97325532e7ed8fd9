/**
 * The session bar of the customer's tab: who is viewing (agents by name, guests marked), who is
 * controlling with "Take back control", whether the session is recorded, and the Chat,
 * "Invite a friend" and Stop buttons, in the brand colour. It sits at the bottom of the screen,
 * on the theme's side (where "Get help" was, in a bottom corner), on every screen size and in
 * every corner: the top is where sites put their navigation, and the bar stays for the whole
 * session. The customer can fold it into a small indicator (the live dot, an eye, and Stop); it
 * unfolds by itself when someone joins or leaves, when an agent takes control (it cannot be
 * folded then) and when a chat message arrives. On a narrow screen
 * (NARROW_MEDIA) it is a pill: Chat and Invite become icons (their names stay for screen
 * readers), and the actions wrap under the names when they do not fit beside them.
 */
import type { Participant } from '@samepage/protocol';
import type { SamepageSnapshot } from './api-types.ts';
import { t } from './text.ts';
import { NARROW_MEDIA, button, el, icon } from './widget-dom.ts';

const CHAT_ICON = 'M4 5h16v11H9l-5 4z';
const INVITE_ICON = 'M12.5 8a3.5 3.5 0 1 1-7 0a3.5 3.5 0 1 1 7 0M2 20c0-3.9 3.1-6 7-6s7 2.1 7 6M19 8v6M16 11h6';
const FOLD_ICON = 'M6 9l6 6 6-6';
const EYE_ICON = 'M2 12q10-14 20 0q-10 14-20 0M15 12a3 3 0 1 1-6 0a3 3 0 1 1 6 0';

// The pill, above the phone's home indicator. The names take two lines at most.
const COMPACT_CSS =
  NARROW_MEDIA +
  '{.sp-banner{bottom:calc(12px + env(safe-area-inset-bottom,0px));right:8px;max-width:calc(100vw - 16px);' +
  'flex-wrap:wrap;justify-content:flex-end;white-space:normal;gap:6px 8px;border-radius:24px;font-size:13px}:host([data-pos$=left]) .sp-banner{left:8px}' +
  '.sp-text{flex:1 1 110px}.sp-names{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}' +
  '.sp-actions{gap:6px}.sp-pill{padding:7px}.sp-ico{display:block}' +
  '.sp-lbl{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}}';

// At the bottom, on the theme's side, 20 px in like the launcher (.sp-corner).
export const BANNER_CSS =
  '.sp-banner{pointer-events:auto;position:fixed;right:20px;bottom:20px;max-width:calc(100vw - 40px);display:flex;align-items:center;gap:10px;' +
  'padding:6px;border-radius:999px;background:var(--sp-brand);color:var(--sp-on);font-size:14px;font-weight:500;' +
  'box-shadow:0 10px 30px rgba(15,23,42,.3);white-space:nowrap}:host([data-pos$=left]) .sp-banner{right:auto;left:20px}' +
  '.sp-banner :focus-visible{outline-color:var(--sp-on)}' +
  '.sp-banner.sp-controlled{padding-left:16px;background:#1e293b;color:#fff;box-shadow:0 10px 30px rgba(15,23,42,.35),0 0 0 3px #f59e0b}' +
  '.sp-controlled :focus-visible{outline-color:#fbbf24}' +
  '.sp-controlled .sp-dot{background:#f59e0b;box-shadow:0 0 0 3px rgba(245,158,11,.35)}' +
  '.sp-text{display:flex;flex-direction:column;line-height:1.25;overflow:hidden;min-width:0}' +
  '.sp-names{overflow:hidden;text-overflow:ellipsis}' +
  '.sp-dot{width:8px;height:8px;border-radius:50%;background:#4ade80;box-shadow:0 0 0 3px rgba(74,222,128,.3);flex:none}' +
  '.sp-actions{display:flex;align-items:center;gap:10px;flex:none}' +
  '.sp-pill,.sp-fold{cursor:pointer;border:1px solid;border-radius:999px;padding:6px 12px;font-size:13px;font-weight:600;background:none;color:inherit;position:relative}' +
  '.sp-pill:hover,.sp-fold:hover{background:rgba(127,127,127,.2)}' +
  '.sp-pill[aria-expanded=true]{background:var(--sp-on);color:var(--sp-brand);border-color:var(--sp-on)}' +
  '.sp-controlled .sp-pill[aria-expanded=true]{background:#fff;color:#1e293b}' +
  '.sp-ico{display:none;width:18px;height:18px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
  // The fold button: the live dot and a chevron; folded, the dot and an eye.
  '.sp-fold{display:flex;align-items:center;gap:6px;border:0;padding:6px 10px}.sp-fold .sp-ico{display:block}' +
  '.sp-banner .sp-eye,.sp-min .sp-chev,.sp-min .sp-text,.sp-min .sp-pill{display:none}.sp-min .sp-eye{display:block}' +
  '.sp-badge{position:absolute;top:-6px;right:-6px;min-width:18px;height:18px;padding:0 5px;border-radius:9px;background:#b91c1c;color:#fff;font-size:11px;line-height:18px;text-align:center}' +
  '.sp-stop,.sp-takeback{cursor:pointer;border:0;border-radius:999px;padding:7px 14px;font-size:13px;font-weight:700;background:#fff;color:#b91c1c}' +
  '.sp-stop:hover{background:#fee2e2}.sp-takeback{background:#f59e0b;color:#1e293b}.sp-takeback:hover{background:#fbbf24}' +
  COMPACT_CSS;

export interface BannerActions {
  stop(): void;
  takeBack(): void;
  toggleChat(): void;
  invite(): void;
}

export interface BannerExtras {
  unread: number;
  chatOpen: boolean;
}

const nameOf = (p: Participant): string => (p.role === 'guest' ? t('guest', { name: p.name || t('aFriend') }) : p.name || t('anAgent'));

/** "Ann", "Ann and Bob", "Ann, Bob and Cy (guest)" + "is/are viewing this tab". */
export function formatViewers(participants: readonly Participant[]): string {
  const names = participants.map(nameOf);
  if (names.length <= 1) return t('viewingOne', { names: names[0] ?? t('anAgent') });
  return t('viewingMany', { names: `${names.slice(0, -1).join(', ')} ${t('and')} ${names[names.length - 1]}` });
}

/**
 * @example
 *   ui.append(renderBanner(host.snapshot(), { unread: 0, chatOpen: false }, actions));
 */
export function renderBanner(snapshot: SamepageSnapshot, extras: BannerExtras, actions: BannerActions): HTMLElement {
  const controllerId = snapshot.control.controllerId;
  const controller = controllerId ? snapshot.participants.find((p) => p.id === controllerId) : undefined;
  const banner = el('div', controllerId ? 'sp-banner sp-controlled' : 'sp-banner');
  banner.setAttribute('role', 'region');
  banner.setAttribute('aria-label', t('sessionLabel'));
  const names = controllerId ? t('controlling', { name: controller?.name || t('anAgent') }) : formatViewers(snapshot.participants);
  const text = el('span', 'sp-text');
  text.append(el('span', 'sp-names', names));
  if (snapshot.policy?.recorded) text.append(el('small', '', t('recorded')));
  const dot = el('span', 'sp-dot');
  if (controllerId) banner.append(dot, text);
  else {
    // Not while an agent controls ("Take back control" stays in sight); widget.ts draws a new,
    // unfolded bar whenever someone joins, leaves or takes control.
    const fold = button('sp-fold', '', () => foldBar(banner, banner.classList.contains('sp-min') ? null : names));
    fold.append(dot, icon(FOLD_ICON, 'sp-chev'), icon(EYE_ICON, 'sp-eye'));
    banner.append(fold, text);
    foldBar(banner, null);
  }
  const buttons = el('span', 'sp-actions');
  if (controllerId) buttons.append(button('sp-takeback', t('takeBack'), actions.takeBack));
  const chat = iconButton('sp-pill sp-chat-btn', t('chat'), CHAT_ICON, actions.toggleChat);
  updateChatButton(chat, extras);
  buttons.append(chat);
  if (snapshot.policy?.allowGuests && !controllerId) buttons.append(iconButton('sp-pill', t('invite'), INVITE_ICON, actions.invite));
  buttons.append(button('sp-stop', t('stop'), actions.stop, t('stopLabel')));
  banner.append(buttons);
  return banner;
}

/**
 * Folds the bar in place, its button then named for who is watching (`names`), or unfolds it
 * (null). In place, so that the keyboard focus stays on that button.
 */
function foldBar(banner: HTMLElement, names: string | null): void {
  const fold = banner.querySelector('.sp-fold');
  banner.classList.toggle('sp-min', !!names);
  fold?.setAttribute('aria-expanded', String(!names));
  fold?.setAttribute('aria-label', names || t('minimise'));
}

/** A labelled button whose label gives way to an icon on a phone (the name stays for screen readers). */
function iconButton(className: string, label: string, path: string, onClick: () => void): HTMLButtonElement {
  const b = button(className, '', onClick);
  b.append(icon(path), el('span', 'sp-lbl', label));
  return b;
}

/** Updates the Chat button in place (re-creating it would lose keyboard focus). */
export function updateChatButton(chat: HTMLButtonElement, extras: BannerExtras): void {
  chat.setAttribute('aria-expanded', String(extras.chatOpen));
  chat.setAttribute('aria-label', extras.unread ? t('chatUnread', { count: extras.unread }) : t('chat'));
  chat.querySelector('.sp-badge')?.remove();
  if (!extras.unread) return;
  chat.append(el('span', 'sp-badge', String(Math.min(extras.unread, 99))));
  const banner = chat.closest<HTMLElement>('.sp-min');
  if (banner) foldBar(banner, null); // a new message unfolds the bar
}
