/** /console/inbox: messages visitors left while no agent was online, and what colleagues shared with you. */
import { useEffect, useState, type MouseEvent } from 'react';
import { fetchInbox, fetchShares, type InboxFilter, type InboxMessage, type Share } from '../api-followups.ts';
import { t } from '../i18n/index.ts';
import { navigate, routePath, type Route } from '../router.ts';
import '../components/inbox.css';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const visitorName = (m: InboxMessage): string => m.visitor.name ?? m.visitor.email ?? m.visitor.id ?? t.inbox.anonymous;

function Link({ to, label, children }: { to: Route; label?: string; children: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a className="row-link" href={routePath(to)} aria-label={label} onClick={onClick}>
      {children}
    </a>
  );
}

export function InboxPage({ canViewSessions }: { canViewSessions: boolean }) {
  const [filter, setFilter] = useState<InboxFilter>('all');
  const [inbox, setInbox] = useState<{ messages: InboxMessage[]; unread: number } | null | 'failed'>(null);
  const [shares, setShares] = useState<Share[]>([]);

  useEffect(() => {
    let cancelled = false;
    void fetchInbox(filter).then((r) => !cancelled && setInbox(r.ok ? r.value : 'failed'));
    return () => {
      cancelled = true;
    };
  }, [filter]);
  useEffect(() => {
    let cancelled = false;
    void fetchShares().then((r) => !cancelled && r.ok && setShares(r.value));
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <div className="page inbox-page">
      <header className="page-header">
        <h1>{t.inbox.heading}</h1>
        <p className="muted">{t.inbox.intro}</p>
      </header>
      <section className="card inbox-card" aria-labelledby="inbox-list-heading">
        <div className="inbox-toolbar">
          <h2 id="inbox-list-heading">{inbox && inbox !== 'failed' ? t.inbox.unreadCount(inbox.unread) : t.inbox.heading}</h2>
          <label className="inbox-filter">
            <span>{t.inbox.filterLabel}</span>
            <select value={filter} onChange={(e) => setFilter(e.target.value as InboxFilter)}>
              <option value="all">{t.inbox.filterAll}</option>
              <option value="unread">{t.inbox.filterUnread}</option>
              <option value="open">{t.inbox.filterOpen}</option>
            </select>
          </label>
        </div>
        {inbox === null && <p className="muted">{t.loading}</p>}
        {inbox === 'failed' && (
          <p className="muted" role="alert">
            {t.loadFailed}
          </p>
        )}
        {inbox && inbox !== 'failed' && inbox.messages.length === 0 && <p className="muted">{t.inbox.empty}</p>}
        {inbox && inbox !== 'failed' && inbox.messages.length > 0 && (
          <ul className="rows" data-testid="inbox-list">
            {inbox.messages.map((m) => (
              <li key={m.id} className={`row inbox-row${m.readAt === null ? ' inbox-unread' : ''}`}>
                <div className="row-main">
                  <p className="row-title">
                    <Link to={{ name: 'message', messageId: m.id }} label={t.inbox.openMessage(visitorName(m), dateTime.format(new Date(m.createdAt)))}>
                      {visitorName(m)}
                    </Link>
                  </p>
                  <p className="row-sub muted">{m.text}</p>
                  <p className="row-sub muted">
                    {m.siteName} · {m.page.title || m.page.url} · {dateTime.format(new Date(m.createdAt))}
                  </p>
                </div>
                <div className="inbox-badges">
                  {m.readAt === null && <span className="badge">{t.inbox.unread}</span>}
                  {m.live && <span className="badge badge-live">{t.inbox.liveNow}</span>}
                  {m.repliedAt !== null && <span className="badge badge-muted">{m.replySeenAt !== null ? t.inbox.replySeen : t.inbox.replied}</span>}
                  {m.snapshotBytes !== null && <span className="badge badge-muted">{t.inbox.withSnapshot}</span>}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card inbox-card" aria-labelledby="shared-heading">
        <h2 id="shared-heading">{t.inbox.sharedHeading}</h2>
        {shares.length === 0 ? (
          <p className="muted">{t.inbox.sharedEmpty}</p>
        ) : (
          <ul className="rows" data-testid="shared-list">
            {shares
              .filter((s) => s.target.type === 'message' || canViewSessions)
              .map((s) => (
                <li key={s.id} className="row">
                  <div className="row-main">
                    <p className="row-title">
                      <Link to={{ name: 'shared', shareId: s.id }}>{s.title ?? s.target.id}</Link>
                    </p>
                    {s.note && <p className="row-sub">{s.note}</p>}
                    <p className="row-sub muted">{t.inbox.sharedBy(s.from.name, dateTime.format(new Date(s.createdAt)))}</p>
                  </div>
                  <div className="inbox-badges">
                    <span className="badge badge-muted">{s.target.type === 'session' ? t.inbox.sharedSession : t.inbox.sharedMessage}</span>
                    {s.pickedUpAt !== null && <span className="badge badge-muted">{t.inbox.pickedUp}</span>}
                  </div>
                </li>
              ))}
          </ul>
        )}
      </section>
    </div>
  );
}
