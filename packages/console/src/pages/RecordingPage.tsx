/** /console/recordings/:sessionId: the recording player, the chat transcript and the agents' notes. */
import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { ChatMessageList, formatTime } from '../components/ChatMessageList.tsx';
import { RecordingSection, useRecording } from '../components/RecordingSection.tsx';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RecordingPage({ sessionId }: { sessionId: string }) {
  const result = useRecording(sessionId);
  const back = (
    <button type="button" className="button button-ghost button-small" onClick={() => navigate({ name: 'home' })}>
      ← {t.backHome}
    </button>
  );
  if (result === null) return <div className="boot">{t.loading}</div>;
  if (!result.ok) {
    return (
      <div className="page">
        {back}
        <div className="card" role="alert">
          {t.recordings.notFound}
        </div>
      </div>
    );
  }
  const { recording, chat, notes } = result.value;
  return (
    <div className="page">
      {back}
      <header className="page-header">
        <h1>{t.recordings.pageHeading(recording.siteName)}</h1>
        <p className="muted">
          {dateTime.format(new Date(recording.startedAt))} · {t.recordings.duration(recording.durationMs)} ·{' '}
          <a
            href={`/console/sessions/${encodeURIComponent(sessionId)}`}
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: 'session_detail', sessionId });
            }}
          >
            {t.recordings.viewSession}
          </a>
        </p>
      </header>
      <div className="detail-grid">
        <RecordingSection detail={result.value} />
        <div className="recording-side">
          <section className="card" aria-labelledby="transcript-heading">
            <h2 id="transcript-heading">{t.transcriptHeading}</h2>
            {chat.length === 0 ? (
              <p className="muted">{t.noTranscript}</p>
            ) : (
              <ChatMessageList live={false} lines={chat.map((m) => ({ key: `m${m.seq}`, name: m.from.name, role: m.from.role, text: m.text, at: m.at, own: false, pending: false }))} />
            )}
          </section>
          <section className="card" aria-labelledby="notes-heading">
            <h2 id="notes-heading">{t.recordings.notesHeading}</h2>
            {notes.length === 0 ? (
              <p className="muted">{t.recordings.noNotes}</p>
            ) : (
              <ul className="rows">
                {notes.map((n) => (
                  <li key={n.id} className="row">
                    <div className="row-main">
                      <p className="row-title">{n.text}</p>
                      <p className="row-sub muted">
                        {n.userName} · {formatTime(n.at)}
                      </p>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
