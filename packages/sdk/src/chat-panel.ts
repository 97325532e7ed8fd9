/**
 * The widget's chat panel: the messages (sender names, the customer's own on the right), who
 * is typing, and a labelled message box. Enter sends, Shift+Enter adds a line. New messages
 * are announced through the list's live region (role=log).
 */
import type { ChatMessage, Participant } from '@samepage/protocol';
import type { ChatApi } from './api-types.ts';
import { t } from './text.ts';
import { NARROW_MEDIA, button, el } from './widget-dom.ts';

export const CHAT_CSS =
  // Right above the session bar (banner.ts), on its side: the bar is always at the bottom.
  '.sp-chat{pointer-events:auto;position:fixed;bottom:80px;right:20px;width:min(360px,calc(100vw - 40px));height:min(460px,calc(100vh - 100px));display:flex;flex-direction:column;' +
  'border-radius:16px;background:var(--sp-bg);color:var(--sp-fg);border:1px solid var(--sp-line);box-shadow:0 20px 50px rgba(15,23,42,.22),0 2px 6px rgba(15,23,42,.08);overflow:hidden}' +
  ':host([data-pos$=left]) .sp-chat{right:auto;left:20px}' +
  '.sp-chat header{display:flex;align-items:center;justify-content:space-between;padding:12px 12px 12px 16px;border-bottom:1px solid var(--sp-line);font-size:15px;font-weight:650}' +
  '.sp-x{pointer-events:auto;cursor:pointer;border:0;background:none;border-radius:8px;width:32px;height:32px;font-size:20px;line-height:1;color:var(--sp-muted)}.sp-x:hover{background:var(--sp-soft)}' +
  '.sp-log{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px;font-size:14px}' +
  '.sp-msg{max-width:82%;align-self:flex-start}.sp-msg.sp-own{align-self:flex-end;text-align:right}' +
  '.sp-from{display:block;font-size:11.5px;color:var(--sp-muted);margin:0 4px 2px}' +
  '.sp-bubble{display:inline-block;text-align:left;padding:8px 12px;border-radius:14px 14px 14px 4px;background:var(--sp-soft);line-height:1.4;white-space:pre-wrap;overflow-wrap:anywhere}' +
  '.sp-own .sp-bubble{border-radius:14px 14px 4px 14px;background:var(--sp-brand);color:var(--sp-on)}.sp-sending .sp-bubble{opacity:.6}' +
  '.sp-empty{margin:auto;color:var(--sp-muted);font-size:13px;text-align:center}' +
  '.sp-typing{min-height:18px;padding:0 16px 4px;font-size:12px;color:var(--sp-muted);font-style:italic}' +
  '.sp-compose{display:flex;gap:8px;align-items:flex-end;padding:10px 12px 12px;border-top:1px solid var(--sp-line)}' +
  '.sp-compose textarea{flex:1;min-width:0;resize:none;height:40px;max-height:120px;padding:9px 12px;border:1px solid var(--sp-field);border-radius:10px;font-size:14px;line-height:1.4;color:var(--sp-fg);background:var(--sp-bg)}' +
  '.sp-compose textarea:focus{outline:2px solid var(--sp-brand);outline-offset:0;border-color:transparent}' +
  // On a phone the session bar is a pill that may take two rows: the panel leaves room for them.
  NARROW_MEDIA +
  '{.sp-chat{bottom:calc(112px + env(safe-area-inset-bottom,0px));right:8px;width:min(400px,calc(100vw - 16px));height:min(440px,calc(100vh - 124px))}' +
  ':host([data-pos$=left]) .sp-chat{left:8px}}';

export interface ChatPanelDeps {
  chat: ChatApi;
  typingIds(): string[];
  participants(): readonly Participant[];
  /** Open state or unread count changed (the banner's Chat button shows them). */
  onChange(open: boolean, unread: number): void;
}

export interface ChatPanel {
  toggle(): void;
  isOpen(): boolean;
  unread(): number;
  /** New messages or typing: redraw if open, count unread if closed. */
  refresh(): void;
  close(): void;
}

function messageNode(m: { text: string; from?: ChatMessage['from'] }, own: boolean, sending = false): HTMLElement {
  const node = el('div', `sp-msg${own ? ' sp-own' : ''}${sending ? ' sp-sending' : ''}`);
  node.append(el('span', 'sp-from', own ? (sending ? t('youSending') : t('you')) : (m.from?.name || t('agent'))), el('span', 'sp-bubble', m.text));
  return node;
}

/**
 * @example
 *   const panel = createChatPanel(panels, { chat, typingIds, participants, onChange });
 *   banner.onChat = panel.toggle;
 */
export function createChatPanel(container: HTMLElement, deps: ChatPanelDeps): ChatPanel {
  let panel: HTMLElement | null = null;
  let log: HTMLElement | null = null;
  let typingLine: HTMLElement | null = null;
  let seenCount = deps.chat.messages().length;
  let unread = 0;

  const draw = (): void => {
    if (!log || !typingLine) return;
    const messages = deps.chat.messages();
    const nodes = messages.map((m) => messageNode(m, m.from.participantId === 'host'));
    for (const p of deps.chat.pending()) nodes.push(messageNode(p, true, true));
    if (!nodes.length) nodes.push(el('p', 'sp-empty', t('chatEmpty')));
    log.replaceChildren(...nodes);
    log.scrollTop = log.scrollHeight;
    const names = deps.typingIds().map((id) => deps.participants().find((p) => p.id === id)?.name || t('someone'));
    typingLine.textContent = names.length ? t(names.length > 1 ? 'typingMany' : 'typingOne', { names: names.join(', ') }) : '';
    seenCount = messages.length;
  };

  const send = (box: HTMLTextAreaElement): void => {
    const text = box.value;
    if (!text.trim()) return;
    box.value = '';
    deps.chat.send(text).catch(() => undefined); // failures reach onError; the text stays listed as sending
    draw();
  };

  const open = (): void => {
    panel = el('section', 'sp-chat');
    panel.setAttribute('aria-label', t('chat'));
    const opener = (container.getRootNode() as ShadowRoot | Document).activeElement;
    // Esc closes the chat and gives focus back to what opened it (the banner's Chat button).
    panel.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation();
      close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    }, true);
    const header = el('header', '');
    header.append(el('span', '', t('chat')), button('sp-x', '×', () => close(), t('closeChat')));
    log = el('div', 'sp-log');
    log.setAttribute('role', 'log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-label', t('messages'));
    typingLine = el('div', 'sp-typing');
    const form = el('form', 'sp-compose');
    const label = el('label', 'sp-sr', t('message'));
    label.htmlFor = 'sp-chat-input';
    const box = el('textarea', '');
    box.id = 'sp-chat-input';
    box.placeholder = t('messagePlaceholder');
    box.maxLength = 4000;
    box.rows = 1;
    box.addEventListener('input', () => deps.chat.setTyping(box.value.length > 0));
    box.addEventListener('keydown', (event) => {
      event.stopPropagation(); // the page's shortcuts must not fire while typing here
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send(box);
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send(box);
    });
    const submit = el('button', 'sp-primary', t('send'));
    submit.type = 'submit';
    form.append(label, box, submit);
    panel.append(header, log, typingLine, form);
    container.append(panel);
    unread = 0;
    draw();
    box.focus();
    deps.onChange(true, 0);
  };

  function close(): void {
    if (!panel) return;
    panel.remove();
    panel = log = typingLine = null;
    deps.chat.setTyping(false);
    deps.onChange(false, unread);
  }

  return {
    toggle: () => (panel ? close() : open()),
    isOpen: () => panel !== null,
    unread: () => unread,
    refresh() {
      if (panel) return draw();
      const messages = deps.chat.messages();
      const fresh = messages.slice(seenCount).filter((m) => m.from.participantId !== 'host').length;
      seenCount = messages.length;
      if (!fresh) return;
      unread += fresh;
      deps.onChange(false, unread);
    },
    close,
  };
}
