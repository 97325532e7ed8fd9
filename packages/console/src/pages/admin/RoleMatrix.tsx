import { useEffect, useId, useState, type FormEvent } from 'react';
import { adminApi, type RoleDef } from '../../admin/admin-api.ts';
import { t } from '../../i18n/index.ts';
import { IDLE, StatusLine, type Status } from './admin-ui.tsx';

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Roles as columns, permissions as rows. Built-in roles are read-only; custom roles save per column. */
export function RoleMatrix({ roles, permissions, editable, onChanged }: { roles: RoleDef[]; permissions: string[]; editable: boolean; onChanged: () => void }) {
  const [drafts, setDrafts] = useState<Record<string, string[]>>({});
  const [status, setStatus] = useState<Status>(IDLE);
  const busy = status.kind === 'busy';

  // A reload replaces the saved state; drop drafts that now match it.
  useEffect(() => {
    setDrafts((d) => Object.fromEntries(Object.entries(d).filter(([key, perms]) => {
      const role = roles.find((r) => r.key === key);
      return role && !sameSet(role.permissions, perms);
    })));
  }, [roles]);

  const current = (role: RoleDef) => drafts[role.key] ?? role.permissions;
  const toggle = (role: RoleDef, permission: string, on: boolean) => {
    const now = current(role);
    const next = on ? [...now.filter((p) => p !== permission), permission] : now.filter((p) => p !== permission);
    setDrafts((d) => ({ ...d, [role.key]: permissions.filter((p) => next.includes(p)) }));
  };

  const run = async (action: () => Promise<{ ok: true } | { ok: false; message: string }>, done: string) => {
    setStatus({ kind: 'busy' });
    const result = await action();
    setStatus(result.ok ? { kind: 'ok', text: done } : { kind: 'error', text: result.message });
    if (result.ok) onChanged();
  };
  const save = (role: RoleDef) => run(() => adminApi.updateRole(role.key, { permissions: current(role) }), t.admin.roleSaved(role.title));
  const remove = (role: RoleDef) => run(() => adminApi.deleteRole(role.key), t.admin.roleDeleted(role.title));
  const hasCustom = roles.some((r) => !r.builtIn);

  return (
    <>
      <StatusLine status={status} />
      <div className="table-wrap">
        <table className="admin-table matrix">
          <thead>
            <tr>
              <th scope="col">{t.admin.permissionCol}</th>
              {roles.map((role) => (
                <th scope="col" key={role.key} className="matrix-role">
                  <span className="matrix-role-title">{role.title}</span>
                  <span className="matrix-role-key">{role.builtIn ? t.admin.builtInBadge : role.key}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {permissions.map((permission) => (
              <tr key={permission}>
                <th scope="row" className="matrix-permission">
                  <span>{t.admin.permissionNames[permission] ?? permission}</span>
                  <code>{permission}</code>
                </th>
                {roles.map((role) => (
                  <td key={role.key} className="matrix-cell">
                    <input
                      type="checkbox"
                      aria-label={t.admin.permissionFor(permission, role.title)}
                      checked={current(role).includes(permission)}
                      disabled={role.builtIn || !editable || busy}
                      onChange={(e) => toggle(role, permission, e.target.checked)}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {editable && hasCustom && (
            <tfoot>
              <tr>
                <td />
                {roles.map((role) => (
                  <td key={role.key} className="matrix-cell">
                    {!role.builtIn && (
                      <div className="matrix-actions">
                        <button type="button" className="button button-primary button-small" aria-label={t.admin.saveRole(role.title)} disabled={busy || !drafts[role.key]} onClick={() => void save(role)}>
                          {t.admin.save}
                        </button>
                        <button type="button" className="button button-danger button-small" aria-label={t.admin.deleteRole(role.title)} disabled={busy} onClick={() => void remove(role)}>
                          {t.admin.delete}
                        </button>
                      </div>
                    )}
                  </td>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      {editable && <NewRoleForm onCreated={onChanged} />}
    </>
  );
}

function NewRoleForm({ onCreated }: { onCreated: () => void }) {
  const [key, setKey] = useState('');
  const [title, setTitle] = useState('');
  const [status, setStatus] = useState<Status>(IDLE);
  const id = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setStatus({ kind: 'busy' });
    const result = await adminApi.createRole({ key: key.trim(), title: title.trim(), permissions: [] });
    if (!result.ok) return setStatus({ kind: 'error', text: result.message });
    setStatus({ kind: 'ok', text: t.admin.roleCreated(title.trim()) });
    setKey('');
    setTitle('');
    onCreated();
  };

  return (
    <form className="admin-subform" aria-labelledby={`${id}-h`} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={`${id}-h`}>{t.admin.newRoleHeading}</h3>
      <div className="form-row">
        <label className="field">
          <span className="field-label">{t.admin.roleKeyLabel}</span>
          <input value={key} autoComplete="off" spellCheck={false} aria-describedby={`${id}-hint`} onChange={(e) => setKey(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">{t.admin.roleTitleLabel}</span>
          <input value={title} autoComplete="off" onChange={(e) => setTitle(e.target.value)} />
        </label>
        <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
          {t.admin.createRole}
        </button>
      </div>
      <p id={`${id}-hint`} className="form-hint">
        {t.admin.roleKeyHint}
      </p>
      <StatusLine status={status} />
    </form>
  );
}
