import { useId, useState, type FormEvent } from 'react';
import { adminApi, type RoleDef } from '../../admin/admin-api.ts';
import { t } from '../../i18n/index.ts';
import { IDLE, StatusLine, type Status } from './admin-ui.tsx';

const EMPTY = { email: '', name: '', role: 'agent', password: '' };

export function AddUserForm({ roles, onAdded }: { roles: readonly RoleDef[]; onAdded: () => void }) {
  const [form, setForm] = useState(EMPTY);
  const [status, setStatus] = useState<Status>(IDLE);
  const hintId = useId();
  const set = (key: keyof typeof EMPTY) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (status.kind === 'busy') return;
    setStatus({ kind: 'busy' });
    const result = await adminApi.createUser({ ...form, email: form.email.trim(), name: form.name.trim() });
    if (!result.ok) {
      setStatus({ kind: 'error', text: result.message, title: result.code === 'seat_limit_reached' ? t.admin.seatLimitTitle : undefined });
      return;
    }
    setForm(EMPTY);
    setStatus({ kind: 'ok', text: t.admin.userAdded(result.value.name) });
    onAdded();
  };

  return (
    <form className="admin-subform" aria-labelledby={`${hintId}-h`} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={`${hintId}-h`}>{t.admin.addUserHeading}</h3>
      <div className="form-grid">
        <label className="field">
          <span className="field-label">{t.emailLabel}</span>
          <input type="email" autoComplete="off" value={form.email} onChange={(e) => set('email')(e.target.value)} required />
        </label>
        <label className="field">
          <span className="field-label">{t.admin.nameLabel}</span>
          <input autoComplete="off" value={form.name} onChange={(e) => set('name')(e.target.value)} required />
        </label>
        <label className="field">
          <span className="field-label">{t.admin.roleLabel}</span>
          <select value={form.role} onChange={(e) => set('role')(e.target.value)}>
            {roles.map((r) => (
              <option key={r.key} value={r.key}>
                {r.title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t.passwordLabel}</span>
          <input type="password" autoComplete="new-password" aria-describedby={hintId} value={form.password} onChange={(e) => set('password')(e.target.value)} required />
        </label>
      </div>
      <p id={hintId} className="form-hint">
        {t.admin.passwordHint}
      </p>
      <div className="admin-actions">
        <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
          {t.admin.addUser}
        </button>
        <StatusLine status={status} />
      </div>
    </form>
  );
}
