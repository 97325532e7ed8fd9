import { useState } from 'react';
import type { User } from '../../api.ts';
import { adminApi, type AdminUser } from '../../admin/admin-api.ts';
import { t } from '../../i18n/index.ts';
import { AdminPageHeader, IDLE, LoadGate, StatusLine, useLoad, type Status } from './admin-ui.tsx';
import { AddUserForm } from './AddUserForm.tsx';
import { RoleMatrix } from './RoleMatrix.tsx';

const loadUsers = () => adminApi.users();
const loadRoles = () => adminApi.roles();
const noUsers = async () => ({ ok: true as const, value: [] as AdminUser[] });

export function UsersPage({ me, canManageUsers, canManageRoles }: { me: User; canManageUsers: boolean; canManageRoles: boolean }) {
  const [users, reloadUsers, setUsers] = useLoad(canManageUsers ? loadUsers : noUsers);
  const [roles, reloadRoles] = useLoad(loadRoles);
  const [status, setStatus] = useState<Status>(IDLE);
  const roleList = roles.state === 'ready' ? roles.value.roles : [];

  const update = async (user: AdminUser, change: { role?: string; disabled?: boolean }) => {
    setStatus({ kind: 'busy' });
    const result = await adminApi.updateUser(user.id, change);
    if (!result.ok) {
      setStatus({ kind: 'error', text: result.message, title: result.code === 'seat_limit_reached' ? t.admin.seatLimitTitle : undefined });
      reloadUsers();
      return;
    }
    if (users.state === 'ready') setUsers(users.value.map((u) => (u.id === user.id ? { ...u, ...change } : u)));
    setStatus({ kind: 'ok', text: t.admin.userUpdated(user.name) });
  };

  return (
    <>
      {canManageUsers && (
        <section className="card admin-card" aria-labelledby="users-heading">
          <AdminPageHeader id="users-heading" title={t.admin.usersHeading} intro={t.admin.usersIntro} />
          <StatusLine status={status} />
          <LoadGate data={users}>
            {(list) => (
              <div className="table-wrap">
                <table className="admin-table">
                  <thead>
                    <tr>
                      <th scope="col">{t.admin.colName}</th>
                      <th scope="col">{t.admin.colEmail}</th>
                      <th scope="col">{t.admin.colRole}</th>
                      <th scope="col">{t.admin.colStatus}</th>
                      <th scope="col">
                        <span className="sr-only">{t.admin.colActions}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((user) => {
                      const self = user.id === me.id;
                      return (
                        <tr key={user.id}>
                          <th scope="row" className="cell-name">
                            {user.name} {self && <span className="badge">{t.admin.youBadge}</span>}
                          </th>
                          <td>{user.email}</td>
                          <td>
                            <select
                              aria-label={t.admin.roleFor(user.name)}
                              value={user.role}
                              disabled={self || status.kind === 'busy'}
                              onChange={(e) => void update(user, { role: e.target.value })}
                            >
                              {roleList.some((r) => r.key === user.role) ? null : <option value={user.role}>{user.role}</option>}
                              {roleList.map((r) => (
                                <option key={r.key} value={r.key}>
                                  {r.title}
                                </option>
                              ))}
                            </select>
                          </td>
                          <td>
                            <span className={user.disabled ? 'badge badge-muted' : 'badge badge-ok'}>{user.disabled ? t.admin.statusDisabled : t.admin.statusActive}</span>
                          </td>
                          <td className="cell-actions">
                            {!self && (
                              <button
                                type="button"
                                className={user.disabled ? 'button button-ghost button-small' : 'button button-danger button-small'}
                                aria-label={user.disabled ? t.admin.enableUserLabel(user.name) : t.admin.disableUserLabel(user.name)}
                                disabled={status.kind === 'busy'}
                                onClick={() => void update(user, { disabled: !user.disabled })}
                              >
                                {user.disabled ? t.admin.enableUser : t.admin.disableUser}
                              </button>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </LoadGate>
          <AddUserForm roles={roleList} onAdded={reloadUsers} />
        </section>
      )}
      <section className="card admin-card" aria-labelledby="roles-heading">
        <AdminPageHeader id="roles-heading" level={canManageUsers ? 2 : 1} title={t.admin.rolesHeading} intro={canManageRoles ? t.admin.rolesIntro : t.admin.rolesReadOnly} />
        <LoadGate data={roles}>{(value) => <RoleMatrix roles={value.roles} permissions={value.permissions} editable={canManageRoles} onChanged={reloadRoles} />}</LoadGate>
      </section>
    </>
  );
}
