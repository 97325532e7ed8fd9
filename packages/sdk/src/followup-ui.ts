/**
 * The built-in UI of "Leave a message", in the widget's shadow root: a button above "Get help"
 * when no agent is online, the message form, a thank-you card, and the team's reply on a later
 * visit with "Start a live session". While a card is open, the other corner parts ("Get help")
 * step aside. Texts from the server (names, replies) go in through textContent only.
 */
import type { FollowupThread, LeaveMessageInput } from './followup-types.ts';
import type { FollowupTextKey } from './i18n/followup.ts';
import { button, el, liveRegion } from './widget-dom.ts';
import { addCss } from './widget-host.ts';

const DARK = '--fu-bg:#1e293b;--fu-fg:#f1f5f9;--fu-muted:#cbd5e1;--fu-line:#334155;color-scheme:dark';
const CSS =
  ':host{--fu-bg:#fff;--fu-fg:#0f172a;--fu-muted:#475569;--fu-line:#cbd5e1}' +
  `:host([data-mode=dark]){${DARK}}@media (prefers-color-scheme:dark){:host([data-mode=auto]){${DARK}}}` +
  ':host([data-fu]) .sp-corner:not(.sp-fu-own){display:none!important}' +
  // Above "Get help", which stays: a customer on the phone with an agent may still start a session.
  '.sp-fu-launch{bottom:76px!important;background:var(--fu-bg);color:var(--fu-fg);border:1px solid var(--fu-line)}' +
  ':host([data-pos^=top]) .sp-fu-launch{bottom:auto!important;top:76px!important}' +
  '.sp-fu-card{pointer-events:auto;width:320px;max-height:calc(100vh - 40px);overflow:auto;padding:20px;border-radius:16px;background:var(--fu-bg);color:var(--fu-fg);' +
  'border:1px solid var(--fu-line);box-shadow:0 20px 50px rgba(15,23,42,.22);font:14px/1.45 system-ui,sans-serif}' +
  '.sp-fu-card h2{margin:0 0 6px;font-size:16px}.sp-fu-card p{margin:0 0 12px}.sp-fu-muted{color:var(--fu-muted)}' +
  '.sp-fu-card label{display:block;margin:10px 0 4px;font-weight:600}' +
  '.sp-fu-card textarea,.sp-fu-card input[type=text],.sp-fu-card input[type=email]{width:100%;padding:8px 10px;border:1px solid var(--fu-line);border-radius:8px;background:var(--fu-bg);color:var(--fu-fg);font:inherit}' +
  '.sp-fu-card textarea{min-height:96px;resize:vertical}' +
  '.sp-fu-check{display:flex!important;gap:8px;align-items:flex-start;font-weight:400!important}' +
  '.sp-fu-row{display:flex;gap:8px;flex-wrap:wrap;margin-top:14px}' +
  '.sp-fu-ghost{pointer-events:auto;cursor:pointer;border:1px solid var(--fu-line);border-radius:999px;padding:9px 16px;font:600 14px system-ui,sans-serif;background:var(--fu-bg);color:var(--fu-fg)}' +
  '.sp-fu-card .sp-btn{padding:9px 18px;font-size:14px;box-shadow:none}' +
  '.sp-fu-error{color:#b91c1c;font-weight:600}.sp-fu-quote{padding-left:10px;border-left:3px solid var(--fu-line);white-space:pre-wrap}' +
  '.sp-fu-reply{white-space:pre-wrap}';

export interface FollowupUiActions {
  /** Sends the message; rejects when it could not be sent. */
  send(input: LeaveMessageInput): Promise<void>;
  startLive(thread: FollowupThread): void;
  /** The visitor closed the reply (it counts as seen). */
  closeReply(thread: FollowupThread): void;
  /** The form or thank-you card closed. */
  closed(): void;
}

export interface FollowupUi {
  /** The corner button that opens the form (no agent online). */
  setLauncher(show: boolean): void;
  openForm(): void;
  showReply(thread: FollowupThread): void;
  /** Whether a card (form, thanks, reply) is open. */
  busy(): boolean;
  hide(): void;
}

type Text = (key: FollowupTextKey, vars?: Record<string, string>) => string;

let fieldIds = 0;
function field(label: string, control: HTMLInputElement | HTMLTextAreaElement): HTMLElement[] {
  control.id = `sp-fu-${++fieldIds}`;
  const l = el('label', '', label);
  l.htmlFor = control.id;
  return [l, control];
}

/**
 * @example
 *   const ui = createFollowupUi(root, texts, { name: 'Ann' }, actions); ui.setLauncher(true);
 */
export function createFollowupUi(root: ShadowRoot, t: Text, defaults: { name?: string; email?: string }, actions: FollowupUiActions): FollowupUi {
  addCss(root, CSS);
  // Inside capture.js's layers when they exist: a node added right under the root during a session could reach the replica (layers.ts).
  const box = el('div', 'sp-fu');
  (root.querySelector('.sp-panels') ?? root).append(box);
  let launcher = false;
  let card: 'form' | 'sent' | 'reply' | null = null;

  // While a card is open, the other corner parts ("Get help", toasts) step aside.
  const sync = (): void => {
    const host = root.host as HTMLElement;
    if (card) host.setAttribute('data-fu', '');
    else host.removeAttribute('data-fu');
  };

  const render = (content: HTMLElement | null, focus?: HTMLElement | null): void => {
    box.replaceChildren();
    if (content) box.append(content);
    else if (launcher) box.append(button('sp-btn sp-corner sp-fu-own sp-fu-launch', t('leaveMessage'), () => ui.openForm()));
    sync();
    focus?.focus();
  };

  const dialog = (titleText: string): { section: HTMLElement; title: HTMLElement } => {
    const section = el('section', 'sp-fu-card sp-corner sp-fu-own');
    const title = el('h2', '', titleText);
    title.id = `sp-fu-title-${++fieldIds}`;
    section.setAttribute('role', 'dialog');
    section.setAttribute('aria-labelledby', title.id);
    section.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') section.querySelector<HTMLButtonElement>('.sp-fu-dismiss')?.click();
    });
    section.append(title);
    return { section, title };
  };

  const close = (): void => {
    card = null;
    render(null, launcher ? box.querySelector('button') : null);
    actions.closed();
  };

  const ui: FollowupUi = {
    setLauncher(show) {
      launcher = show;
      if (!card) render(null);
    },
    openForm() {
      card = 'form';
      const { section } = dialog(t('followupTitle'));
      const message = el('textarea', '');
      message.required = true;
      message.maxLength = 4000;
      const name = el('input', '');
      name.type = 'text';
      name.autocomplete = 'name';
      name.value = defaults.name ?? '';
      const email = el('input', '');
      email.type = 'email';
      email.autocomplete = 'email';
      email.value = defaults.email ?? '';
      const attach = el('input', '');
      attach.type = 'checkbox';
      const attachLabel = el('label', 'sp-fu-check');
      attachLabel.append(attach, el('span', '', t('followupAttach')));
      const error = el('p', 'sp-fu-error');
      error.setAttribute('role', 'alert');
      const send = button('sp-btn sp-fu-send', t('followupSend'), () => {
        if (send.getAttribute('aria-disabled') === 'true') return;
        if (!message.value.trim()) return message.focus();
        send.setAttribute('aria-disabled', 'true');
        send.textContent = t('followupSending');
        error.textContent = '';
        const input: LeaveMessageInput = { text: message.value.trim(), attachSnapshot: attach.checked };
        if (name.value.trim()) input.name = name.value.trim();
        if (email.value.trim()) input.email = email.value.trim();
        actions.send(input).then(
          () => {
            card = 'sent';
            const sent = dialog(t('followupTitle'));
            sent.section.append(liveRegion(el('p', '', t('followupSent'))), el('div', 'sp-fu-row'));
            sent.section.lastElementChild!.append(button('sp-fu-ghost sp-fu-dismiss', t('followupClose'), close));
            render(sent.section, sent.section.querySelector('button'));
          },
          () => {
            send.removeAttribute('aria-disabled');
            send.textContent = t('followupSend');
            error.textContent = t('followupFailed');
          },
        );
      });
      const row = el('div', 'sp-fu-row');
      row.append(send, button('sp-fu-ghost sp-fu-dismiss', t('followupCancel'), close));
      section.append(
        el('p', 'sp-fu-muted', t('followupHint')),
        ...field(t('followupMessage'), message),
        ...field(t('followupName'), name),
        ...field(t('followupEmail'), email),
        attachLabel,
        el('p', 'sp-fu-muted', t('followupAttachHint')),
        error,
        row,
      );
      render(section, message);
    },
    showReply(thread) {
      card = 'reply';
      const last = thread.replies[thread.replies.length - 1];
      const { section } = dialog(t('followupReplyFrom', { name: last?.authorName || t('followupTeam') }));
      section.setAttribute('data-thread', thread.id);
      for (const reply of thread.replies) section.append(el('p', 'sp-fu-reply', reply.text));
      section.append(el('p', 'sp-fu-muted', t('followupYouWrote')), el('p', 'sp-fu-quote sp-fu-muted', thread.text));
      const row = el('div', 'sp-fu-row');
      row.append(
        button('sp-btn sp-fu-live', t('followupStartLive'), () => {
          card = null;
          render(null);
          actions.startLive(thread);
        }),
        button('sp-fu-ghost sp-fu-dismiss', t('followupClose'), () => {
          actions.closeReply(thread);
          close();
        }),
      );
      section.append(row);
      // Shown on page load: a landmark the visitor can find, without taking their focus.
      section.setAttribute('role', 'region');
      render(section);
    },
    busy: () => card !== null,
    hide() {
      launcher = false;
      card = null;
      render(null);
    },
  };
  return ui;
}
