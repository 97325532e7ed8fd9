/** Short, polite notices over the replica ("Control denied", a failed action…); each fades by itself. */
import { Store } from './store.ts';

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'warn';
}

const NOTICE_MS = 7000;
const MAX_NOTICES = 4;

export class NoticeStore extends Store<Notice[]> {
  private seq = 0;

  constructor() {
    super([]);
  }

  push(text: string, tone: Notice['tone'] = 'info'): void {
    const id = ++this.seq;
    // The same sentence twice in a row (e.g. several refused keys) is shown once.
    this.update((list) => [...list.filter((n) => n.text !== text), { id, text, tone }].slice(-MAX_NOTICES));
    setTimeout(() => this.dismiss(id), NOTICE_MS);
  }

  dismiss(id: number): void {
    this.update((list) => (list.some((n) => n.id === id) ? list.filter((n) => n.id !== id) : list));
  }

  clear(): void {
    this.set([]);
  }
}
