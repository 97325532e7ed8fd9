/** A past session: who took part, the chat transcript and the agents' notes (with a box to add one). */
import { useCallback, useEffect, useState } from 'react';
import { fetchSessionDetail, type ApiResult, type SessionDetail } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { ChatMessageList } from '../components/ChatMessageList.tsx';
import { NotesBox } from '../components/NotesBox.tsx';
import { ShareButton } from '../components/ShareButton.tsx';
import { roleTitle } from '../components/ParticipantsList.tsx';
import { RecordingSection, useRecording } from '../components/RecordingSection.tsx';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function PastSessionPage({ sessionId, canViewRecordings = false }: { sessionId: string; canViewRecordings?: boolean }) {
  const recording = useRecording(sessionId, canViewRecordings);
  const [result, setResult] = useState<ApiResult<SessionDetail> | null>(null);
  const load = useCallback(() => fetchSessionDetail(sessionId), [sessionId]);
  useEffect(() => {
    let cancelled = false;
    void load().then((r) => !cancelled && setResult(r));
    return () => {
      cancelled = true;
    };
  }, [load]);

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
          {t.sessionNotFound}
        </div>
      </div>
    );
  }
  const { session, participants, chat, notes } = result.value;
  return (
    <div className="page">
      {back}
      <header className="page-header">
        <h1>{t.sessionDetailHeading(session.siteName ?? '')}</h1>
        <p className="muted">
          {session.startedAt ? dateTime.format(new Date(session.startedAt)) : ''}
          {session.endedBy ? ` · ${t.endedByLabel(session.endedBy)}` : ''}
        </p>
        <p className="muted">{participants.map((p) => `${p.name} (${roleTitle({ role: p.role === 'host' || p.role === 'guest' ? p.role : 'agent', title: p.title })})`).join(', ')}</p>
      </header>
      {recording?.ok && <RecordingSection detail={recording.value} />}
      <div className="detail-grid">
        <section className="card" aria-labelledby="transcript-heading">
          <h2 id="transcript-heading">{t.transcriptHeading}</h2>
          {chat.length === 0 ? (
            <p className="muted">{t.noTranscript}</p>
          ) : (
            <ChatMessageList
              live={false}
              lines={chat.map((m) => ({ key: `m${m.seq}`, name: m.from.name, role: m.from.role, text: m.encrypted ? t.e2eeMessage : m.text, at: m.at, own: false, pending: false }))}
            />
          )}
        </section>
        <div className="card">
          <NotesBox sessionId={session.id} initial={notes} />
          <ShareButton target={{ type: 'session', id: session.id }} />
        </div>
      </div>
    </div>
  );
}
