/** The agent's notes on a session (live or past), kept with the session history. */
import { useState, type FormEvent } from 'react';
import { addNote, type Note } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { formatTime } from './ChatMessageList.tsx';

export function NotesBox({ sessionId, initial = [], headingLevel = 2 }: { sessionId: string; initial?: Note[]; headingLevel?: 2 | 3 }) {
  const [notes, setNotes] = useState<Note[]>(initial);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    const result = await addNote(sessionId, text.trim());
    setBusy(false);
    if (result.ok) {
      setNotes((list) => [...list, result.value]);
      setText('');
      setMessage({ text: t.noteSaved, error: false });
    } else setMessage({ text: t.noteFailed, error: true });
  };

  return (
    <section className="panel notes" aria-labelledby={`notes-${sessionId}`}>
      <Heading id={`notes-${sessionId}`} className="panel-heading">
        {t.notesHeading}
      </Heading>
      {notes.length === 0 ? (
        <p className="muted small">{t.noNotes}</p>
      ) : (
        <ul className="note-list">
          {notes.map((n) => (
            <li key={n.id} className="note">
              <p className="note-text">{n.text}</p>
              <p className="note-meta muted">
                {n.userName} · {formatTime(n.at)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <form className="note-form" onSubmit={(e) => void submit(e)}>
        <label className="field-label" htmlFor={`note-input-${sessionId}`}>
          {t.addNote}
        </label>
        <textarea id={`note-input-${sessionId}`} rows={2} value={text} onChange={(e) => setText(e.target.value)} maxLength={4000} />
        <button type="submit" className="button button-ghost button-small" disabled={busy || !text.trim()} aria-busy={busy}>
          {t.saveNote}
        </button>
        <p className={message?.error ? 'form-error small' : 'form-hint small'} role={message?.error ? 'alert' : 'status'}>
          {message?.text ?? ''}
        </p>
      </form>
    </section>
  );
}
