import type { ChatMessage } from '@samepage/protocol';
import { newId } from '../ids.ts';

/**
 * The chat of one live session, in order. Seq numbers have no gaps; a resend with a known
 * clientId returns the stored message instead of adding it again.
 */
export class ChatLog {
  private readonly messages: ChatMessage[] = [];
  private readonly byClientId = new Map<string, ChatMessage>();

  constructor(
    history: ChatMessage[] = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const m of history) this.remember(m);
  }

  append(from: ChatMessage['from'], clientId: string, text: string): { message: ChatMessage; duplicate: boolean } {
    const key = `${from.participantId}:${clientId}`;
    const known = this.byClientId.get(key);
    if (known) return { message: known, duplicate: true };
    const message: ChatMessage = { seq: this.lastSeq + 1, id: newId('msg'), clientId, from, text, at: this.now() };
    this.remember(message);
    return { message, duplicate: false };
  }

  after(seq: number): ChatMessage[] {
    return this.messages.filter((m) => m.seq > seq);
  }

  all(): ChatMessage[] {
    return [...this.messages];
  }

  get lastSeq(): number {
    return this.messages[this.messages.length - 1]?.seq ?? 0;
  }

  private remember(message: ChatMessage): void {
    this.messages.push(message);
    this.byClientId.set(`${message.from.participantId}:${message.clientId}`, message);
  }
}
