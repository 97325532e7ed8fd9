/** Home screen lists from the HTTP API: live sessions (supervisors can join) and past sessions. */
import { useEffect, useState } from 'react';
import { fetchLiveSessions, fetchPastSessions, type ApiResult, type LiveSessionSummary, type PastSessionSummary } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { navigate, routePath } from '../router.ts';
import { formatTime } from './ChatMessageList.tsx';

const LIVE_REFRESH_MS = 10_000;

function useApi<T>(load: () => Promise<ApiResult<T>>, refreshMs?: number): ApiResult<T> | null {
  const [result, setResult] = useState<ApiResult<T> | null>(null);
  useEffect(() => {
    let cancelled = false;
    const run = () => void load().then((r) => !cancelled && setResult(r));
    run();
    const timer = refreshMs ? setInterval(run, refreshMs) : null;
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
    };
  }, [load, refreshMs]);
  return result;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function LiveSessionsPanel({ onJoin, busy }: { onJoin: (sessionId: string) => void; busy: boolean }) {
  const result = useApi(fetchLiveSessions, LIVE_REFRESH_MS);
  return (
    <section className="card list-card" aria-labelledby="live-sessions-heading">
      <h2 id="live-sessions-heading">{t.liveSessionsHeading}</h2>
      {result === null ? (
        <p className="muted">{t.loading}</p>
      ) : !result.ok ? (
        <p className="muted">{t.loadFailed}</p>
      ) : result.value.length === 0 ? (
        <p className="muted">{t.liveSessionsEmpty}</p>
      ) : (
        <ul className="rows" aria-labelledby="live-sessions-heading">
          {result.value.map((s: LiveSessionSummary) => {
            const who = s.visitor?.name || s.visitor?.email || t.roleHost;
            return (
              <li key={s.id} className="row" data-testid="live-session">
                <div className="row-main">
                  <p className="row-title">
                    {s.siteName} <span className="muted">· {who}</span>
                  </p>
                  <p className="row-sub muted">
                    {[t.since(formatTime(s.startedAt)), s.participants.filter((p) => p.role !== 'host').map((p) => p.name).join(', '), s.reconnecting ? t.liveSessionReconnecting : ''].filter(Boolean).join(' · ')}
                  </p>
                </div>
                <button type="button" className="button button-ghost button-small" aria-label={t.joinSessionLabel(s.siteName, who)} disabled={busy} onClick={() => onJoin(s.id)}>
                  {t.joinButton}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function PastSessionsPanel() {
  const loaded = useApi(fetchPastSessions);
  // The history API lists running sessions too; they belong under "Live sessions", not here.
  const result = loaded?.ok ? { ...loaded, value: loaded.value.filter((s) => s.endedAt !== null) } : loaded;
  return (
    <section className="card list-card" aria-labelledby="past-sessions-heading">
      <h2 id="past-sessions-heading">{t.pastSessionsHeading}</h2>
      {result === null ? (
        <p className="muted">{t.loading}</p>
      ) : !result.ok ? (
        <p className="muted">{t.loadFailed}</p>
      ) : result.value.length === 0 ? (
        <p className="muted">{t.pastSessionsEmpty}</p>
      ) : (
        <ul className="rows" aria-labelledby="past-sessions-heading">
          {result.value.map((s: PastSessionSummary) => {
            const href = routePath({ name: 'session_detail', sessionId: s.id });
            return (
              <li key={s.id} className="row" data-testid="past-session">
                <div className="row-main">
                  <a
                    className="row-title row-link"
                    href={href}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate({ name: 'session_detail', sessionId: s.id });
                    }}
                  >
                    {s.siteName} · {dateTime.format(new Date(s.startedAt))}
                  </a>
                  <p className="row-sub muted">
                    {[s.agents.join(', '), t.messagesCount(s.messageCount), s.endedBy ? t.endedByLabel(s.endedBy) : null].filter(Boolean).join(' · ')}
                  </p>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
