/**
 * Live chat with the customer and the other agents. A message shows as pending until the
 * server echoes it; the outbox is resent after a reconnect (see session/chat-store.ts).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import type { ChatView } from '../session/chat-store.ts';
import { ChatMessageList, type ChatLine } from './ChatMessageList.tsx';

/** A typing notice is renewed at most this often while the agent keeps typing. */
const TYPING_RENEW_MS = 3000;
const TYPING_IDLE_MS = 4000;

interface Props {
  chat: ChatView;
  selfId: string | null;
  participants: readonly Participant[];
  onSend: (text: string) => void;
  onTyping: (typing: boolean) => void;
  /** The session has ended: the history stays readable, the input closes. */
  ended?: boolean;
}

function useTypingSignal(onTyping: (typing: boolean) => void) {
  const lastSent = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const stop = () => {
    if (idle.current) clearTimeout(idle.current);
    idle.current = null;
    if (lastSent.current !== 0) onTyping(false);
    lastSent.current = 0;
  };
  useEffect(() => () => {
    if (idle.current) clearTimeout(idle.current);
  }, []);
  return {
    typed() {
      const now = Date.now();
      if (now - lastSent.current > TYPING_RENEW_MS) {
        lastSent.current = now;
        onTyping(true);
      }
      if (idle.current) clearTimeout(idle.current);
      idle.current = setTimeout(stop, TYPING_IDLE_MS);
    },
    stop,
  };
}

export function ChatPanel({ chat, selfId, participants, onSend, onTyping, ended = false }: Props) {
  const [draft, setDraft] = useState('');
  const typing = useTypingSignal(onTyping);
  const nameOf = (id: string) => participants.find((p) => p.id === id)?.name ?? t.roleAgent;

  const lines: ChatLine[] = [
    ...chat.messages.map((m) => ({
      key: `m${m.seq}`,
      name: m.from.name,
      role: m.from.role,
      text: m.text,
      at: m.at,
      own: m.from.participantId === selfId || chat.own.has(m.clientId),
      pending: false,
    })),
    ...chat.outbox.map((p) => ({ key: `p${p.clientId}`, name: t.chatYou, role: 'agent' as const, text: p.text, at: p.at, own: true, pending: true })),
  ];

  const send = () => {
    if (ended || !draft.trim()) return;
    onSend(draft);
    setDraft('');
    typing.stop();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };
  const typers = chat.typing.map(nameOf);

  return (
    <section className="panel chat-panel" aria-labelledby="chat-heading">
      <h2 id="chat-heading" className="panel-heading">
        {t.chatHeading}
      </h2>
      <ChatMessageList lines={lines} />
      <p className="chat-typing" aria-live="polite" data-testid="chat-typing">
        {typers.length > 0 ? t.typing(typers.join(', ')) : ''}
      </p>
      <form
        className="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label className="sr-only" htmlFor="chat-input">
          {t.chatMessageLabel}
        </label>
        <textarea
          id="chat-input"
          rows={2}
          maxLength={4000}
          placeholder={ended ? t.chatEnded : t.chatMessageLabel}
          disabled={ended}
          title={t.chatHint}
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            if (e.target.value) typing.typed();
            else typing.stop();
          }}
          onKeyDown={onKeyDown}
          onBlur={() => typing.stop()}
        />
        <button type="submit" className="button button-primary button-small" disabled={ended || !draft.trim()}>
          {t.chatSend}
        </button>
      </form>
    </section>
  );
}
