/**
 * The chat as the console shows it: messages the server confirmed, ordered by `seq`, then the
 * agent's own messages still waiting for the server's echo (the outbox). Pure functions.
 */
import type { ChatMessage } from '@samepage/protocol';

export interface PendingMessage {
  clientId: string;
  text: string;
  at: number;
}

export interface ChatLog {
  /** Confirmed messages, by seq, without duplicates. */
  messages: ChatMessage[];
  /** Sent (or waiting to be sent) but not echoed yet; resent after a reconnect. */
  outbox: PendingMessage[];
}

export const EMPTY_CHAT: ChatLog = { messages: [], outbox: [] };

/** Adds confirmed messages (live, history or the join snapshot); clears their outbox entries. */
export function mergeMessages(log: ChatLog, incoming: readonly ChatMessage[]): ChatLog {
  if (incoming.length === 0) return log;
  const bySeq = new Map<number, ChatMessage>();
  for (const m of log.messages) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  const messages = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const echoed = new Set(incoming.map((m) => m.clientId));
  const outbox = log.outbox.filter((p) => !echoed.has(p.clientId));
  return { messages, outbox: outbox.length === log.outbox.length ? log.outbox : outbox };
}

export function addPending(log: ChatLog, pending: PendingMessage): ChatLog {
  return { ...log, outbox: [...log.outbox, pending] };
}

/** The seq to ask `chat_sync` for: the last one without a gap before it (the snapshot may start late). */
export function lastSeq(log: ChatLog): number {
  let seq = (log.messages[0]?.seq ?? 1) - 1;
  for (const m of log.messages) {
    if (m.seq === seq + 1) seq = m.seq;
    else if (m.seq > seq + 1) break;
  }
  return seq;
}

/** A client id for a message: random, so a resend after a reconnect is recognised. */
export function createClientId(random: () => number = Math.random): string {
  return `c_${Date.now().toString(36)}_${Math.floor(random() * 0xffffffff).toString(36)}`;
}
