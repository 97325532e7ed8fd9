/** The admin pages, each behind its permission (the server checks every request anyway). */
import type { User } from '../../api.ts';
import { adminPagesFor, type AdminPage } from '../../admin/admin-model.ts';
import { t } from '../../i18n/index.ts';
import type { Route } from '../../router.ts';
import { UsersPage } from './UsersPage.tsx';
import { SitesPage } from './SitesPage.tsx';
import { UsagePage } from './UsagePage.tsx';
import { AuditPage } from './AuditPage.tsx';
import { RetentionPage } from './RetentionPage.tsx';
import { TokensPage } from './TokensPage.tsx';
import './admin.css';

export function AdminRoutes({ route, user }: { route: Route; user: User }) {
  const page = route.name as AdminPage;
  if (!adminPagesFor(user.permissions).includes(page)) {
    return (
      <div className="admin-page">
        <p className="admin-error" role="alert">
          {t.admin.forbidden}
        </p>
      </div>
    );
  }
  const has = (permission: string) => user.permissions.includes(permission);
  return (
    <div className="admin-page">
      {page === 'admin_users' ? (
        <UsersPage me={user} canManageUsers={has('users.manage')} canManageRoles={has('roles.manage')} />
      ) : page === 'admin_sites' ? (
        <SitesPage />
      ) : page === 'admin_usage' ? (
        <UsagePage />
      ) : page === 'admin_audit' ? (
        <AuditPage />
      ) : page === 'admin_tokens' ? (
        <TokensPage permissions={user.permissions} />
      ) : (
        <RetentionPage />
      )}
    </div>
  );
}
