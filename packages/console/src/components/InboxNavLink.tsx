/** The Inbox entry of the top navigation, with the count of messages no agent has opened yet (polled). */
import { useEffect, useState, type MouseEvent } from 'react';
import { fetchUnreadCount } from '../api-followups.ts';
import { t } from '../i18n/index.ts';
import { navigate, routePath, useRoute } from '../router.ts';

const POLL_MS = 30_000;

export function InboxNavLink() {
  const route = useRoute();
  const [unread, setUnread] = useState(0);
  // Also refreshed on every navigation: opening a message reads it.
  useEffect(() => {
    let cancelled = false;
    const load = () => void fetchUnreadCount().then((r) => !cancelled && r.ok && setUnread(r.value));
    load();
    const timer = setInterval(load, POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [route.name, route.name === 'message' ? route.messageId : '']);
  const current = route.name === 'inbox' || route.name === 'message' || route.name === 'shared';
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate({ name: 'inbox' });
  };
  return (
    <a className="nav-link" href={routePath({ name: 'inbox' })} aria-current={current ? 'page' : undefined} onClick={onClick} aria-label={unread > 0 ? t.inbox.navUnread(unread) : undefined}>
      {t.inbox.nav}
      {unread > 0 && (
        <span className="badge" style={{ marginLeft: '0.35rem' }} aria-hidden="true" data-testid="inbox-unread">
          {unread}
        </span>
      )}
    </a>
  );
}
