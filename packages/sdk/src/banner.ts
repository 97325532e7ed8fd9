/**
 * The session bar of the customer's tab: who is viewing (agents by name, guests marked), who is
 * controlling with "Take back control", whether the session is recorded, and the Chat,
 * "Invite a friend" and Stop buttons, in the brand colour. On a wide screen it floats at the top
 * centre. On a narrow one (NARROW_MEDIA) it is a compact pill in the theme's corner, at the
 * bottom by default, because the top of a phone screen is where sites put their navigation:
 * Chat and Invite become icons (their names stay for screen readers), and the actions wrap
 * under the names when they do not fit beside them.
 */
import type { Participant } from '@samepage/protocol';
import type { SamepageSnapshot } from './api-types.ts';
import { t } from './text.ts';
import { NARROW_MEDIA, button, el, icon } from './widget-dom.ts';

const CHAT_ICON = 'M4 5h16v11H9l-5 4z';
const INVITE_ICON = 'M12.5 8a3.5 3.5 0 1 1-7 0a3.5 3.5 0 1 1 7 0M2 20c0-3.9 3.1-6 7-6s7 2.1 7 6M19 8v6M16 11h6';

// The pill in the theme's corner, at the bottom by default (above the phone's home indicator):
// a site that chose a top corner has its reasons (a sticky bar at the bottom, say). The names
// take two lines at most.
const COMPACT_CSS =
  NARROW_MEDIA +
  '{.sp-banner{top:auto;bottom:calc(12px + env(safe-area-inset-bottom,0px));left:auto;right:8px;margin:0;width:auto;max-width:calc(100vw - 16px);' +
  'flex-wrap:wrap;justify-content:flex-end;white-space:normal;gap:6px 8px;padding:6px 6px 6px 14px;border-radius:24px;font-size:13px}' +
  ':host([data-pos$=left]) .sp-banner{right:auto;left:8px}:host([data-pos^=top]) .sp-banner{bottom:auto;top:calc(8px + env(safe-area-inset-top,0px))}' +
  '.sp-text{flex:1 1 110px}.sp-names{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}' +
  '.sp-actions{gap:6px}.sp-pill{padding:7px}.sp-ico{display:block}' +
  '.sp-lbl{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}}';

export const BANNER_CSS =
  '.sp-banner{pointer-events:auto;position:fixed;top:12px;left:0;right:0;margin:0 auto;width:max-content;display:flex;align-items:center;gap:10px;' +
  'padding:6px 6px 6px 16px;border-radius:999px;background:var(--sp-brand);color:var(--sp-on);font-size:14px;font-weight:500;' +
  'box-shadow:0 10px 30px rgba(15,23,42,.3);max-width:calc(100vw - 24px);white-space:nowrap}' +
  '.sp-banner :focus-visible{outline-color:var(--sp-on)}' +
  '.sp-banner.sp-controlled{background:#1e293b;color:#fff;box-shadow:0 10px 30px rgba(15,23,42,.35),0 0 0 3px #f59e0b}' +
  '.sp-controlled :focus-visible{outline-color:#fbbf24}' +
  '.sp-controlled .sp-dot{background:#f59e0b;box-shadow:0 0 0 3px rgba(245,158,11,.35)}' +
  '.sp-text{display:flex;flex-direction:column;line-height:1.25;overflow:hidden;text-overflow:ellipsis;margin-right:4px;min-width:0}' +
  '.sp-text small{font-size:11.5px;font-weight:500}.sp-names{overflow:hidden;text-overflow:ellipsis}' +
  '.sp-dot{width:8px;height:8px;border-radius:50%;background:#4ade80;box-shadow:0 0 0 3px rgba(74,222,128,.3);flex:none}' +
  '.sp-actions{display:flex;align-items:center;gap:10px;flex:none}' +
  '.sp-pill{pointer-events:auto;cursor:pointer;border:1px solid;border-radius:999px;padding:6px 12px;font-size:13px;font-weight:600;background:none;color:inherit;position:relative}' +
  '.sp-pill:hover{background:rgba(127,127,127,.2)}' +
  '.sp-pill[aria-expanded=true]{background:var(--sp-on);color:var(--sp-brand);border-color:var(--sp-on)}' +
  '.sp-controlled .sp-pill[aria-expanded=true]{background:#fff;color:#1e293b}' +
  '.sp-ico{display:none;width:18px;height:18px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
  '.sp-badge{position:absolute;top:-6px;right:-6px;min-width:18px;height:18px;padding:0 5px;border-radius:9px;background:#b91c1c;color:#fff;font-size:11px;line-height:18px;text-align:center}' +
  '.sp-stop{pointer-events:auto;cursor:pointer;border:0;border-radius:999px;padding:7px 14px;font-size:13px;font-weight:700;background:#fff;color:#b91c1c}' +
  '.sp-stop:hover{background:#fee2e2}' +
  '.sp-takeback{pointer-events:auto;cursor:pointer;border:0;border-radius:999px;padding:7px 14px;font-size:13px;font-weight:700;background:#f59e0b;color:#1e293b}' +
  '.sp-takeback:hover{background:#fbbf24}' +
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
  const text = el('span', 'sp-text');
  text.append(el('span', 'sp-names', controllerId ? t('controlling', { name: controller?.name || t('anAgent') }) : formatViewers(snapshot.participants)));
  if (snapshot.policy?.recorded) text.append(el('small', '', t('recorded')));
  banner.append(el('span', 'sp-dot'), text);
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
  if (extras.unread) chat.append(el('span', 'sp-badge', String(Math.min(extras.unread, 99))));
}
