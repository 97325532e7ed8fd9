/**
 * Everything a session adds beyond streaming the page: remote control, chat (state and panel),
 * host presence, drawings, consent prompts and guest invites. capture.ts hands it the server
 * messages the session does not handle itself, and says when the socket is (re)connected and
 * when the session ends. Built into collab.js, loaded when a session starts.
 */
import type { ClientMessage, HostUi } from '@samepage/protocol';
import type { SamepageError } from './api-types.ts';
import { createChat } from './chat.ts';
import { CHAT_CSS, createChatPanel, type ChatPanel } from './chat-panel.ts';
import type { CollabContext, CollabModule } from './collab-types.ts';
import { PROMPT_CSS, showPrompt, type Prompt } from './consent-prompt.ts';
import { createControlSession } from './control-session.ts';
import { DRAWING_CSS, createDrawingLayer, type DrawingLayer } from './drawing-layer.ts';
import { startHostPresence, type HostPresence } from './host-presence.ts';
import { INVITE_CSS, showInviteCard } from './invite-card.ts';
import { t, useTexts } from './text.ts';
import { EN_COLLAB } from './i18n/en.ts';
import { logo, resolveTheme } from './theme.ts';
import { pristineMutationObserver } from './pristine.ts';

export const INVITE_TIMEOUT_MS = 10_000;

/** Which of the widget's parts are on screen, by selector (reported in host_visibility.ui). */
const UI_PARTS: Record<HostUi[number], string> = {
  launcher: '.sp-btn.sp-corner',
  code: '.sp-card',
  banner: '.sp-banner',
  prompt: '.sp-modal',
  chat: '.sp-chat',
  invite: '.sp-invite',
};

/**
 * @example
 *   const collab = createCollaboration({ host, send, isReady, redaction, getNode, widget, onControl });
 *   collab.handle(message);
 */
export function createCollaboration(deps: CollabContext): CollabModule {
  const { host } = deps;
  useTexts(host.texts ?? {});
  host.addTexts?.(EN_COLLAB);
  const send = (message: ClientMessage): void => void deps.send(message);
  /** The built-in UI's layers, only with the widget on. */
  const ui = () => (host.config.widget ? deps.widget() : null);
  let chatPanel: ChatPanel | null = null;
  deps.widget()?.addStyle(CHAT_CSS + INVITE_CSS + PROMPT_CSS + DRAWING_CSS);
  let presence: HostPresence | null = null;
  let drawing: DrawingLayer | null = null;
  const invites: { resolve(v: { url: string }): void; reject(e: SamepageError): void; timer: ReturnType<typeof setTimeout> }[] = [];

  const chat = createChat({ send: deps.send, isReady: deps.isReady, emit: host.emit, onChange: () => chatPanel?.refresh() });
  const panel = (): ChatPanel | null => {
    const widget = ui();
    if (!widget || chatPanel) return chatPanel;
    return (chatPanel = createChatPanel(widget.panels, {
      chat: chat.api,
      typingIds: () => chat.typingIds(),
      participants: () => host.snapshot().participants,
      onChange: (chatOpen, unread) => widget.setChat({ chatOpen, unread }),
    }));
  };
  const prompt = (title: string, body: string, accept: string, decline: string): Prompt | null => {
    const widget = ui();
    return widget ? showPrompt(widget.modals, { title, body, accept, decline, logo: logo(resolveTheme(host)) }) : null;
  };
  const control = createControlSession({
    send,
    emit: host.emit,
    context: () => {
      const policy = host.snapshot().policy;
      return {
        policy: deps.redaction(),
        getNode: deps.getNode,
        navigation: { allowed: policy?.allowNavigation === true, origins: policy?.navigationOrigins ?? [] },
      };
    },
    prompt: (_participantId, name) =>
      prompt(t('controlTitle', { name: name || t('anAgent') }), t('controlBody'), t('allow'), t('deny')),
    onChange: deps.onControl,
    report: (error) => host.report(error),
  });

  const failInvites = (error: SamepageError): void => {
    for (const invite of invites.splice(0)) {
      clearTimeout(invite.timer);
      invite.reject(error);
    }
  };

  const draw = (participantId: string, color: string, op: Parameters<DrawingLayer['draw']>[2]): void => {
    if (!drawing) {
      const container = deps.widget()?.drawingContainer;
      if (!container) return;
      drawing = createDrawingLayer(container);
    }
    drawing.draw(participantId, color, op);
  };

  function inviteGuest(): Promise<{ url: string }> {
    if (!host.snapshot().policy?.allowGuests) {
      return Promise.reject<{ url: string }>({ code: 'forbidden', message: 'This site does not allow inviting guests.' } satisfies SamepageError);
    }
    if (!deps.isReady()) return Promise.reject<{ url: string }>({ code: 'sdk_connection_lost', message: 'Not connected; try again in a moment.' } satisfies SamepageError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = invites.findIndex((x) => x.timer === timer);
        if (i >= 0) invites.splice(i, 1);
        reject({ code: 'sdk_connection_lost', message: 'No invitation link arrived in time.' } satisfies SamepageError);
      }, INVITE_TIMEOUT_MS);
      invites.push({ resolve, reject, timer });
      send({ type: 'guest_invite_create' });
    });
  }

  panel(); // so unread messages are counted before the panel is first opened

  // The console shows what the customer's widget shows (it is never in the replica).
  const root = ui()?.panels.getRootNode();
  function shownParts(): HostUi | undefined {
    if (!(root instanceof ShadowRoot)) return undefined;
    return (Object.keys(UI_PARTS) as HostUi[number][]).filter((part) => root.querySelector(UI_PARTS[part]));
  }
  if (root instanceof ShadowRoot) {
    const Observer = pristineMutationObserver();
    new Observer(() => presence?.update()).observe(root, { childList: true, subtree: true });
  }

  return {
    chat: chat.api,
    control: control.api,
    handle(message) {
      switch (message.type) {
        case 'control_requested':
          control.onRequested(message);
          return;
        case 'control_state':
          control.onState(message);
          return;
        case 'control_action':
          control.onAction(message);
          return;
        case 'chat_message':
          chat.onMessage(message.message);
          return;
        case 'chat_history':
          chat.onHistory(message);
          return;
        case 'chat_typing':
          chat.onTyping(message);
          return;
        case 'draw':
          draw(message.participantId, message.color, message.op);
          return;
        case 'participant_left':
          control.onParticipantLeft(message.participantId);
          drawing?.forget(message.participantId);
          // The last one gone: the code card comes back, and the chat (no one to read it, no Chat button) must not cover it.
          if (!host.snapshot().participants.some((p) => p.id !== message.participantId)) chatPanel?.close();
          return;
        case 'guest_invite_created': {
          const invite = invites.shift();
          if (invite) {
            clearTimeout(invite.timer);
            invite.resolve({ url: message.url });
          }
          return;
        }
        case 'error':
          if (message.code === 'forbidden' || message.code === 'permission_denied') failInvites({ code: message.code, message: message.message });
          return;
        default:
          return;
      }
    },
    onReady() {
      presence ??= startHostPresence(send, host.config.idleAfterMs, shownParts);
      presence.announce();
      chat.onConnected();
      panel();
    },
    onEnded() {
      presence?.stop();
      presence = null;
      drawing?.destroy();
      drawing = null;
      control.reset();
      chat.reset();
      chatPanel?.close();
      failInvites({ code: 'sdk_connection_lost', message: 'The session ended.' });
    },
    inviteGuest,
    async promptCobrowse(request) {
      const p = prompt(
        t('cobrowseTitle', { name: request.agentName || t('anAgent'), company: request.company || t('support') }),
        t('cobrowseBody'),
        t('accept'),
        t('decline'),
      );
      return p ? p.answer : false;
    },
    toggleChat: () => panel()?.toggle(),
    showInvite() {
      const widget = ui();
      if (widget) showInviteCard(widget.panels, inviteGuest);
    },
  };
}
