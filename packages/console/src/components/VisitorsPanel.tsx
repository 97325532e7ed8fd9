/** Live visitors on the tenant's sites, with a "Request co-browse" button for each. */
import { useEffect } from 'react';
import type { Visitor } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { useSessionController, useSessionState } from '../session/use-session.ts';
import { formatTime } from './ChatMessageList.tsx';

export function visitorName(v: Pick<Visitor, 'identity'>): string {
  return v.identity?.name || v.identity?.email || t.anonymousVisitor;
}

export function VisitorsPanel() {
  const controller = useSessionController();
  const { visitors, cobrowse } = useSessionState();
  useEffect(() => controller.subscribeVisitors(), [controller]);

  return (
    <section className="card list-card visitors-card" aria-labelledby="visitors-heading">
      <h2 id="visitors-heading">{t.visitorsHeading}</h2>
      {cobrowse?.status === 'declined' && (
        <p className="form-error" role="alert">
          {t.cobrowseDeclined}
        </p>
      )}
      {visitors === null ? (
        <p className="muted">{t.loading}</p>
      ) : visitors.length === 0 ? (
        <p className="muted">{t.visitorsEmpty}</p>
      ) : (
        <ul className="rows" aria-labelledby="visitors-heading">
          {visitors.map((v) => {
            const name = visitorName(v);
            const waiting = cobrowse?.visitorId === v.visitorId && cobrowse.status === 'waiting';
            return (
              <li key={v.visitorId} className="row" data-testid="visitor">
                <div className="row-main">
                  <p className="row-title">
                    {name}
                    {v.identity?.name && v.identity.email && <span className="muted"> · {v.identity.email}</span>}
                  </p>
                  <p className="row-sub muted" title={v.page.url}>
                    {v.siteName} · {v.page.title || v.page.url} · {t.since(formatTime(v.since))}
                  </p>
                </div>
                {v.inSession ? (
                  <span className="badge badge-muted">{t.inSession}</span>
                ) : waiting ? (
                  <span className="row-status" role="status">
                    {t.cobrowseWaiting}
                  </span>
                ) : (
                  <button type="button" className="button button-ghost button-small" aria-label={t.requestCobrowseWith(name)} onClick={() => controller.requestCobrowse(v.visitorId)}>
                    {t.requestCobrowse}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
