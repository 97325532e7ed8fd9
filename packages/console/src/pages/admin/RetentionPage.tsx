import { useState, type FormEvent } from 'react';
import { adminApi } from '../../admin/admin-api.ts';
import { formToRetention, retentionToForm, RETENTION_KEYS, type RetentionForm } from '../../admin/admin-model.ts';
import { t } from '../../i18n/index.ts';
import { AdminPageHeader, IDLE, LoadGate, StatusLine, useLoad, type Status } from './admin-ui.tsx';

const loadRetention = () => adminApi.retention();
const LABELS: Record<keyof RetentionForm, string> = {
  sessionsDays: t.admin.retentionSessions,
  chatDays: t.admin.retentionChat,
  auditDays: t.admin.retentionAudit,
  recordingsDays: t.admin.retentionRecordings,
};

function RetentionEditor({ initial }: { initial: RetentionForm }) {
  const [form, setForm] = useState(initial);
  const [invalid, setInvalid] = useState<keyof RetentionForm | null>(null);
  const [status, setStatus] = useState<Status>(IDLE);
  const [purge, setPurge] = useState<Status>(IDLE);

  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = formToRetention(form);
    if (!parsed.ok) {
      setInvalid(parsed.field);
      return setStatus({ kind: 'error', text: `${LABELS[parsed.field]}: ${t.admin.retentionInvalid}` });
    }
    setInvalid(null);
    setStatus({ kind: 'busy' });
    const result = await adminApi.saveRetention(parsed.value);
    setStatus(result.ok ? { kind: 'ok', text: t.admin.saved } : { kind: 'error', text: result.message });
  };

  const purgeNow = async () => {
    setPurge({ kind: 'busy' });
    const result = await adminApi.purge();
    if (!result.ok) return setPurge({ kind: 'error', text: result.message });
    const parts = Object.entries(result.value).filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`);
    setPurge({ kind: 'ok', text: parts.length ? t.admin.purged(parts.join(', ')) : t.admin.purgedNothing });
  };

  return (
    <section className="card admin-card">
      <form onSubmit={(e) => void save(e)} noValidate>
        <div className="form-grid retention-grid">
          {RETENTION_KEYS.map((key) => (
            <label className="field" key={key}>
              <span className="field-label">{LABELS[key]}</span>
              <input
                type="number"
                inputMode="numeric"
                min={1}
                max={3650}
                placeholder={t.admin.keepForever}
                aria-invalid={invalid === key ? true : undefined}
                value={form[key]}
                onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
              />
            </label>
          ))}
        </div>
        <div className="admin-actions">
          <button type="submit" className="button button-primary" disabled={status.kind === 'busy'}>
            {t.admin.save}
          </button>
          <button type="button" className="button button-danger" disabled={purge.kind === 'busy'} onClick={() => void purgeNow()}>
            {t.admin.purgeNow}
          </button>
          <StatusLine status={status} />
        </div>
        <StatusLine status={purge} />
      </form>
    </section>
  );
}

export function RetentionPage() {
  const [retention] = useLoad(loadRetention);
  return (
    <>
      <AdminPageHeader title={t.admin.retentionHeading} intro={t.admin.retentionIntro} />
      <LoadGate data={retention}>{(value) => <RetentionEditor initial={retentionToForm(value)} />}</LoadGate>
    </>
  );
}
