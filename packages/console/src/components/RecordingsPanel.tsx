/** Home screen list of recorded sessions (shown to roles with recordings.view). */
import { useEffect, useState } from 'react';
import { fetchRecordings, type RecordingSummary } from '../api-recordings.ts';
import type { ApiResult } from '../api-sessions.ts';
import { t } from '../i18n/index.ts';
import { navigate, routePath } from '../router.ts';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function RecordingsPanel() {
  const [result, setResult] = useState<ApiResult<RecordingSummary[]> | null>(null);
  useEffect(() => {
    let cancelled = false;
    void fetchRecordings().then((r) => !cancelled && setResult(r));
    return () => {
      cancelled = true;
    };
  }, []);
  if (result && !result.ok && result.status === 403) return null;
  return (
    <section className="card list-card" aria-labelledby="recordings-heading">
      <h2 id="recordings-heading">{t.recordings.listHeading}</h2>
      {result === null ? (
        <p className="muted">{t.loading}</p>
      ) : !result.ok ? (
        <p className="muted">{t.loadFailed}</p>
      ) : result.value.length === 0 ? (
        <p className="muted">{t.recordings.listEmpty}</p>
      ) : (
        <ul className="rows" aria-labelledby="recordings-heading">
          {result.value.map((r) => {
            const when = dateTime.format(new Date(r.startedAt));
            return (
              <li key={r.sessionId} className="row" data-testid="recording">
                <div className="row-main">
                  <a
                    className="row-title row-link"
                    href={routePath({ name: 'recording', sessionId: r.sessionId })}
                    aria-label={t.recordings.open(r.siteName, when)}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate({ name: 'recording', sessionId: r.sessionId });
                    }}
                  >
                    {r.siteName} · {when}
                  </a>
                  <p className="row-sub muted">
                    {t.recordings.duration(r.durationMs)} · {t.recordings.size(r.sizeBytes)}
                    {r.endedAt === null ? ` · ${t.liveSessionLabel}` : ''}
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
