import { useState, type MouseEvent, type ReactNode } from 'react';
import type { User } from '../api.ts';
import { adminPagesFor, type AdminPage } from '../admin/admin-model.ts';
import { t } from '../i18n/index.ts';
import { navigate, routePath, useRoute, type Route } from '../router.ts';
import { InboxNavLink } from './InboxNavLink.tsx';
import './app-nav.css';

const NAV_TEXT: Record<AdminPage, string> = {
  admin_users: t.admin.navUsers,
  admin_sites: t.admin.navSites,
  admin_usage: t.admin.navUsage,
  admin_audit: t.admin.navAudit,
  admin_settings: t.admin.navSettings,
  admin_tokens: t.tokens.nav,
};

function NavLink({ to, current, children }: { to: Route; current: boolean; children: ReactNode }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a className="nav-link" href={routePath(to)} aria-current={current ? 'page' : undefined} onClick={onClick}>
      {children}
    </a>
  );
}

export function AppShell({
  user,
  onLogOut,
  onLogOutEverywhere,
  children,
}: {
  user: User;
  onLogOut: () => void;
  /** Resolves false when the server could not be reached. */
  onLogOutEverywhere: () => Promise<boolean>;
  children: ReactNode;
}) {
  const route = useRoute();
  // Only the pages this role may use; the server refuses the others anyway.
  const pages = adminPagesFor(user.permissions);
  const inbox = user.permissions.includes('messages.view');
  const [failed, setFailed] = useState(false);
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">{t.productName}</span>
          <span className="brand-sub">{t.consoleName}</span>
        </div>
        {(pages.length > 0 || inbox) && (
          // Named "Administration" only for roles with admin pages; agents get Sessions and Inbox.
          <nav className="app-nav" aria-label={pages.length > 0 ? t.admin.navLabel : t.inbox.navLabel}>
            <NavLink to={{ name: 'home' }} current={route.name === 'home' || route.name === 'session' || route.name === 'session_detail'}>
              {t.admin.navSessions}
            </NavLink>
            {inbox && <InboxNavLink />}
            {pages.map((page) => (
              <NavLink key={page} to={{ name: page }} current={route.name === page}>
                {NAV_TEXT[page]}
              </NavLink>
            ))}
          </nav>
        )}
        <div className="topbar-user">
          <span className="user-name" data-testid="agent-name">
            <span className="muted signed-in-as">{t.signedInAs} </span>
            {user.name}
          </span>
          <button type="button" className="link-button" onClick={() => void onLogOutEverywhere().then((ok) => setFailed(!ok))}>
            {t.admin.logOutEverywhere}
          </button>
          {failed && (
            <span className="form-error topbar-error" role="alert">
              {t.admin.logOutEverywhereFailed}
            </span>
          )}
          <button type="button" className="button button-ghost" onClick={onLogOut}>
            {t.logOut}
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
