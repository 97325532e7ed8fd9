/**
 * The session's chat on the console side: the confirmed messages, this agent's outbox (resent
 * after a reconnect, deduplicated by the server by clientId) and who is typing.
 */
import type { ChatMessage, ClientMessage } from '@samepage/protocol';
import { EMPTY_CHAT, addPending, createClientId, lastSeq, mergeMessages, type ChatLog } from './chat-log.ts';
import { Store } from './store.ts';

export interface ChatView extends ChatLog {
  /** Participants typing right now (never this agent). */
  typing: string[];
  /** clientIds this console sent, so its own messages are recognised even after a rejoin. */
  own: ReadonlySet<string>;
}

/** A typing notice that is not renewed disappears after this long. */
const TYPING_TTL_MS = 6000;

export class ChatStore extends Store<ChatView> {
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly send: (message: ClientMessage) => boolean) {
    super({ ...EMPTY_CHAT, typing: [], own: new Set() });
  }

  /** Queues and sends a message; it stays pending until the server echoes it. */
  post(text: string): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    const clientId = createClientId();
    const view = this.get();
    this.set({ ...view, ...addPending(view, { clientId, text: trimmed, at: Date.now() }), own: new Set([...view.own, clientId]) });
    this.send({ type: 'chat_send', clientId, text: trimmed });
  }

  /** After every (re)connect: ask for what was missed, then resend what was not confirmed. */
  resync(): void {
    const view = this.get();
    this.send({ type: 'chat_sync', afterSeq: lastSeq(view) });
    for (const pending of view.outbox) this.send({ type: 'chat_send', clientId: pending.clientId, text: pending.text });
  }

  receive(messages: readonly ChatMessage[]): void {
    const view = this.get();
    const merged = mergeMessages(view, messages);
    if (merged === view) return;
    // A message from someone ends their typing notice.
    const senders = new Set(messages.map((m) => m.from.participantId));
    this.set({ ...view, ...merged, typing: view.typing.filter((id) => !senders.has(id)) });
  }

  typingNotice(participantId: string, typing: boolean): void {
    const timer = this.typingTimers.get(participantId);
    if (timer) clearTimeout(timer);
    this.typingTimers.delete(participantId);
    if (typing) this.typingTimers.set(participantId, setTimeout(() => this.typingNotice(participantId, false), TYPING_TTL_MS));
    this.update((view) => {
      const has = view.typing.includes(participantId);
      if (typing === has) return view;
      return { ...view, typing: typing ? [...view.typing, participantId] : view.typing.filter((id) => id !== participantId) };
    });
  }

  reset(initial: readonly ChatMessage[] = []): void {
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    this.typingTimers.clear();
    this.set({ ...mergeMessages(EMPTY_CHAT, initial), typing: [], own: new Set() });
  }
}
