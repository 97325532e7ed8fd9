/** /console/messages/:id: a visitor's message, their page snapshot, the conversation, a reply, notes, and sharing. */
import { useEffect, useState, type FormEvent } from 'react';
import { fetchMessage, postEntry, type InboxEntry, type MessageDetail } from '../api-followups.ts';
import type { ApiResult } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { formatTime } from '../components/ChatMessageList.tsx';
import { ShareButton } from '../components/ShareButton.tsx';
import { SnapshotView } from '../components/SnapshotView.tsx';
import { visitorName } from './InboxPage.tsx';
import '../components/inbox.css';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One text box that posts a reply or a note and reports how it went. */
function EntryForm({ id, label, submitText, failedText, onSubmit }: { id: string; label: string; submitText: string; failedText: string; onSubmit(text: string): Promise<boolean> }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    const ok = await onSubmit(text.trim());
    setBusy(false);
    setFailed(!ok);
    if (ok) setText('');
  };
  return (
    <form onSubmit={(e) => void submit(e)}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <textarea id={id} rows={3} maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="button button-primary button-small" disabled={busy || !text.trim()} aria-busy={busy}>
        {submitText}
      </button>
      {failed && (
        <p className="form-error small" role="alert">
          {failedText}
        </p>
      )}
    </form>
  );
}

function Entry({ entry }: { entry: InboxEntry }) {
  const who = entry.kind === 'visitor' ? entry.authorName || t.inbox.fromVisitor : entry.kind === 'reply' ? t.inbox.fromTeam(entry.authorName) : entry.authorName;
  return (
    <li className={`thread-entry thread-entry-${entry.kind}`} data-kind={entry.kind}>
      <p className="thread-text">{entry.text}</p>
      <p className="thread-meta muted">
        {who} · {formatTime(entry.at)}
      </p>
    </li>
  );
}

export function MessagePage({ messageId, canReply }: { messageId: string; canReply: boolean }) {
  const [result, setResult] = useState<ApiResult<MessageDetail> | null>(null);
  const [entries, setEntries] = useState<InboxEntry[]>([]);
  const [sent, setSent] = useState(false);
  useEffect(() => {
    let cancelled = false;
    void fetchMessage(messageId).then((r) => {
      if (cancelled) return;
      setResult(r);
      if (r.ok) setEntries(r.value.entries);
    });
    return () => {
      cancelled = true;
    };
  }, [messageId]);

  const back = (
    <button type="button" className="button button-ghost button-small" onClick={() => navigate({ name: 'inbox' })}>
      ← {t.inbox.back}
    </button>
  );
  if (result === null) return <div className="boot">{t.loading}</div>;
  if (!result.ok) {
    return (
      <div className="page">
        {back}
        <div className="card" role="alert">
          {t.inbox.notFound}
        </div>
      </div>
    );
  }
  const { message, allowedOrigins } = result.value;
  const add = (kind: 'replies' | 'notes') => async (text: string) => {
    const r = await postEntry(message.id, kind, text);
    if (r.ok) setEntries((list) => [...list, r.value]);
    if (kind === 'replies') setSent(r.ok);
    return r.ok;
  };
  const thread = entries.filter((e) => e.kind !== 'note');
  const notes = entries.filter((e) => e.kind === 'note');
  return (
    <div className="page message-page">
      {back}
      <header className="page-header">
        <h1>{t.inbox.messageHeading(visitorName(message))}</h1>
        <p className="muted">
          {t.inbox.onPage(message.page.title || message.page.url, message.siteName)} · {dateTime.format(new Date(message.createdAt))}
        </p>
        {(message.visitor.email || message.visitor.id) && (
          <p className="muted">{[message.visitor.email, message.visitor.id ? t.inbox.visitorId(message.visitor.id) : null].filter(Boolean).join(' · ')}</p>
        )}
      </header>
      {message.live && (
        <section className="card live-card" aria-labelledby="live-heading">
          <h2 id="live-heading">{t.inbox.liveHeading}</h2>
          <p>{t.inbox.liveBody(message.live.code)}</p>
          <button type="button" className="button button-primary" onClick={() => navigate({ name: 'join', code: message.live!.code })}>
            {t.inbox.join}
          </button>
        </section>
      )}
      <div className="detail-grid">
        <section className="card" aria-labelledby="snapshot-heading">
          <h2 id="snapshot-heading">{t.inbox.snapshotHeading}</h2>
          {message.snapshotBytes === null ? (
            <p className="muted">{t.inbox.snapshotNone}</p>
          ) : (
            <>
              <p className="muted small">{t.inbox.snapshotIntro}</p>
              <SnapshotView messageId={message.id} allowedOrigins={allowedOrigins} />
            </>
          )}
        </section>
        <div className="message-side">
          <section className="card" aria-labelledby="thread-heading">
            <h2 id="thread-heading">{t.inbox.thread}</h2>
            <ul className="thread" data-testid="thread">
              {thread.map((e) => (
                <Entry key={e.id} entry={e} />
              ))}
            </ul>
            <h3 className="panel-heading">{t.inbox.replyHeading}</h3>
            {canReply ? (
              <>
                <p className="form-hint small">{t.inbox.replyHint}</p>
                <EntryForm id="reply-input" label={t.inbox.replyLabel} submitText={t.inbox.sendReply} failedText={t.inbox.replyFailed} onSubmit={add('replies')} />
                <p className="form-hint small" role="status">
                  {sent ? t.inbox.replySent : ''}
                </p>
              </>
            ) : (
              <p className="muted small">{t.inbox.noReplyPermission}</p>
            )}
          </section>
          <section className="card" aria-labelledby="message-notes-heading">
            <h2 id="message-notes-heading">{t.inbox.notesHeading}</h2>
            {notes.length === 0 ? (
              <p className="muted small">{t.inbox.noNotes}</p>
            ) : (
              <ul className="thread" data-testid="message-notes">
                {notes.map((e) => (
                  <Entry key={e.id} entry={e} />
                ))}
              </ul>
            )}
            <EntryForm id="message-note-input" label={t.inbox.addNote} submitText={t.inbox.saveNote} failedText={t.inbox.noteFailed} onSubmit={add('notes')} />
            <ShareButton target={{ type: 'message', id: message.id }} />
          </section>
        </div>
      </div>
    </div>
  );
}
