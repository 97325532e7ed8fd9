/** Chat messages in order, own ones to the right; new ones are announced (aria-live). */
import { useLayoutEffect, useRef } from 'react';
import { t } from '../i18n/index.ts';

export interface ChatLine {
  key: string;
  name: string;
  role: 'host' | 'agent' | 'guest';
  text: string;
  at: number;
  own: boolean;
  pending: boolean;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function formatTime(at: number): string {
  return timeFormat.format(new Date(at));
}

export function ChatMessageList({ lines, live = true }: { lines: ChatLine[]; live?: boolean }) {
  const listRef = useRef<HTMLOListElement>(null);
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  return (
    <>
    {lines.length === 0 && <p className="chat-empty muted">{t.chatEmpty}</p>}
    <ol className="chat-list" ref={listRef} aria-label={t.messagesLabel} aria-live={live ? 'polite' : undefined} aria-relevant="additions">
      {lines.map((line) => (
        <li key={line.key} className={`chat-line${line.own ? ' chat-own' : ''}${line.pending ? ' chat-pending' : ''} chat-${line.role}`} data-testid="chat-message">
          <div className="chat-meta">
            <span className="chat-name">{line.own ? t.chatYou : line.name}</span>
            <time dateTime={new Date(line.at).toISOString()}>{line.pending ? t.chatPending : formatTime(line.at)}</time>
          </div>
          <p className="chat-text">{line.text}</p>
        </li>
      ))}
    </ol>
    </>
  );
}
