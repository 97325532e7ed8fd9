/**
 * The customer's side of the session chat. The server numbers messages (seq 1, 2, 3...) and
 * echoes each one to its sender as the ack. Messages written while the socket is down wait in
 * a bounded outbox and are sent again, with the same clientId, after each reconnect; the server
 * stores a clientId once, so nothing is lost or doubled. After every (re)connect we ask for
 * what we missed (`chat_sync`).
 */
import type { ChatMessage, ClientMessage, ServerMessageOf } from '@samepage/protocol';
import type { ChatApi, SamepageError, SamepageEvents } from './api-types.ts';

/** The protocol's MAX_CHAT_TEXT, kept here so collab.js does not bundle the schemas (a test checks they match). */
export const MAX_CHAT_TEXT = 4000;
export const MAX_OUTBOX = 100;
export const TYPING_IDLE_MS = 3000;
const HOST_ID = 'host';

export interface ChatDeps {
  /** Sends now if the socket is ready; false when it is not. */
  send(message: ClientMessage): boolean;
  isReady(): boolean;
  emit<K extends 'chat_message' | 'chat_typing'>(event: K, payload: SamepageEvents[K]): void;
  onChange(): void;
}

export interface Chat {
  api: ChatApi;
  /** Who is typing now (participant ids). */
  typingIds(): string[];
  onMessage(message: ChatMessage): void;
  onHistory(message: ServerMessageOf<'chat_history'>): void;
  onTyping(message: ServerMessageOf<'chat_typing'>): void;
  /** After each welcome or session_created. */
  onConnected(): void;
  /** The session ended: unsent messages fail. */
  reset(): void;
}

interface Outgoing {
  clientId: string;
  text: string;
  resolve(message: ChatMessage): void;
  reject(error: SamepageError): void;
}

function newClientId(): string {
  const c = globalThis.crypto;
  return c?.randomUUID ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * @example
 *   const chat = createChat({ send, isReady, emit, onChange });
 *   await chat.api.send('Hello');
 */
export function createChat(deps: ChatDeps): Chat {
  let messages: ChatMessage[] = [];
  const seen = new Set<number>();
  const outbox = new Map<string, Outgoing>();
  const typing = new Set<string>();
  let typingSent = false;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;

  /** The highest seq up to which we have everything: what chat_sync asks after. */
  const contiguousSeq = (): number => {
    let n = 0;
    while (seen.has(n + 1)) n += 1;
    return n;
  };

  const merge = (message: ChatMessage): boolean => {
    const queued = outbox.get(message.clientId);
    if (queued && message.from.participantId === HOST_ID) {
      outbox.delete(message.clientId);
      queued.resolve(message);
    }
    if (seen.has(message.seq)) return false;
    seen.add(message.seq);
    const last = messages[messages.length - 1];
    messages.push(message);
    if (last && last.seq > message.seq) messages.sort((a, b) => a.seq - b.seq);
    typing.delete(message.from.participantId);
    deps.emit('chat_message', message);
    return true;
  };

  const setTyping = (value: boolean): void => {
    clearTimeout(typingTimer);
    if (value) typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (value === typingSent) return;
    typingSent = value;
    deps.send({ type: 'chat_typing', typing: value });
  };

  const send = (text: string): Promise<ChatMessage> => {
    const trimmed = text.trim();
    if (!trimmed || text.length > MAX_CHAT_TEXT) {
      return Promise.reject<ChatMessage>({ code: 'sdk_config', message: `A chat message has 1 to ${MAX_CHAT_TEXT} characters.` } satisfies SamepageError);
    }
    if (outbox.size >= MAX_OUTBOX) {
      return Promise.reject<ChatMessage>({ code: 'sdk_connection_lost', message: 'Too many unsent chat messages; wait for the connection to come back.' } satisfies SamepageError);
    }
    setTyping(false);
    const clientId = newClientId();
    return new Promise<ChatMessage>((resolve, reject) => {
      outbox.set(clientId, { clientId, text, resolve, reject });
      if (deps.isReady()) deps.send({ type: 'chat_send', clientId, text });
      deps.onChange();
    });
  };

  return {
    api: {
      send,
      messages: () => [...messages],
      setTyping,
      pending: () => [...outbox.values()].map(({ clientId, text }) => ({ clientId, text })),
    },
    typingIds: () => [...typing],
    onMessage(message) {
      if (merge(message)) deps.onChange();
    },
    onHistory({ messages: list }) {
      let changed = false;
      for (const m of [...list].sort((a, b) => a.seq - b.seq)) changed = merge(m) || changed;
      if (changed) deps.onChange();
    },
    onTyping({ participantId, typing: on }) {
      if (participantId === HOST_ID) return;
      if (on) typing.add(participantId);
      else typing.delete(participantId);
      deps.emit('chat_typing', { participantId, typing: on });
      deps.onChange();
    },
    onConnected() {
      typingSent = false;
      deps.send({ type: 'chat_sync', afterSeq: contiguousSeq() });
      for (const m of outbox.values()) deps.send({ type: 'chat_send', clientId: m.clientId, text: m.text });
    },
    reset() {
      clearTimeout(typingTimer);
      for (const m of outbox.values()) m.reject({ code: 'sdk_connection_lost', message: 'The session ended before the message was sent.' });
      outbox.clear();
      typing.clear();
      messages = [];
      seen.clear();
      deps.onChange();
    },
  };
}
