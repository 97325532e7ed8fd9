import type { ReactNode } from 'react';
import type { User } from '../api.ts';
import { t } from '../i18n/index.ts';

export function AppShell({ user, onLogOut, children }: { user: User; onLogOut: () => void; children: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">{t.productName}</span>
          <span className="brand-sub">{t.consoleName}</span>
        </div>
        <div className="topbar-user">
          <span className="user-name" data-testid="agent-name">
            <span className="muted">{t.signedInAs} </span>
            {user.name}
          </span>
          <button type="button" className="button button-ghost" onClick={onLogOut}>
            {t.logOut}
          </button>
        </div>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}
