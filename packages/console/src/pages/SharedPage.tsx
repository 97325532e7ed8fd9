/**
 * /console/shared/:id: a colleague handed you a session or a message. Shows who and why, then
 * the thing itself (the session's summary with its recording, or the message), as far as your
 * role allows; the server checks the same permissions as opening it directly.
 */
import { useEffect, useState } from 'react';
import { fetchShare, type Share } from '../api-followups.ts';
import type { ApiResult } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { useSessionController, useSessionState } from '../session/use-session.ts';
import { MessagePage } from './MessagePage.tsx';
import { PastSessionPage } from './PastSessionPage.tsx';
import '../components/inbox.css';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function SharedPage({ shareId, permissions }: { shareId: string; permissions: string[] }) {
  const [result, setResult] = useState<ApiResult<{ share: Share; title: string; live: boolean; recording: boolean }> | null>(null);
  const controller = useSessionController();
  const session = useSessionState();
  const target = result?.ok ? result.value.share.target : null;
  useEffect(() => {
    if (session.phase === 'live' && session.sessionId && session.sessionId === target?.id) navigate({ name: 'session', sessionId: session.sessionId });
  }, [session.phase, session.sessionId, target?.id]);
  useEffect(() => {
    let cancelled = false;
    void fetchShare(shareId).then((r) => !cancelled && setResult(r));
    return () => {
      cancelled = true;
    };
  }, [shareId]);

  if (result === null) return <div className="boot">{t.loading}</div>;
  if (!result.ok) {
    return (
      <div className="page">
        <div className="card" role="alert">
          {t.inbox.sharedNotFound}
        </div>
      </div>
    );
  }
  const { share, title, live, recording } = result.value;
  const handoff = (
    <section className="card live-card shared-card" aria-labelledby="shared-page-heading">
      <h1 id="shared-page-heading">{t.inbox.sharedPageHeading(share.from.name)}</h1>
      <p className="muted">
        {title} · {dateTime.format(new Date(share.createdAt))}
      </p>
      {share.note && <p data-testid="share-note">{share.note}</p>}
      <div className="inbox-badges">
        {live && permissions.includes('session.join_any') && (
          <button type="button" className="button button-primary button-small" onClick={() => controller.joinSession(share.target.id)}>
            {t.inbox.openLive}
          </button>
        )}
        {recording && (
          <button type="button" className="button button-ghost button-small" onClick={() => navigate({ name: 'recording', sessionId: share.target.id })}>
            {t.inbox.openRecording}
          </button>
        )}
      </div>
    </section>
  );
  return (
    <div className="shared-page">
      <div className="page">{handoff}</div>
      {share.target.type === 'message' ? (
        <MessagePage messageId={share.target.id} canReply={permissions.includes('messages.reply')} />
      ) : (
        <PastSessionPage sessionId={share.target.id} canViewRecordings={permissions.includes('recordings.view')} />
      )}
    </div>
  );
}
