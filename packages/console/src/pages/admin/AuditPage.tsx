import { useEffect, useState, type FormEvent } from 'react';
import { adminApi, type AuditEntry } from '../../admin/admin-api.ts';
import { auditQuery, EMPTY_AUDIT_FILTER, type AuditFilter } from '../../admin/admin-model.ts';
import { t } from '../../i18n/index.ts';
import { AdminPageHeader, LoadGate, type Loaded } from './admin-ui.tsx';

const VIEW_LIMIT = 200;
const FIELDS: { key: keyof AuditFilter; label: string; type: 'text' | 'date'; placeholder?: string }[] = [
  { key: 'action', label: t.admin.filterAction, type: 'text', placeholder: 'login.' },
  { key: 'actor', label: t.admin.filterActor, type: 'text' },
  { key: 'session', label: t.admin.filterSession, type: 'text' },
  { key: 'from', label: t.admin.filterFrom, type: 'date' },
  { key: 'to', label: t.admin.filterTo, type: 'date' },
];

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function detailText(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  const text = JSON.stringify(detail);
  return text === '{}' ? '' : text;
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p className="muted">{t.admin.noEntries}</p>;
  return (
    <div className="table-wrap">
      <table className="admin-table audit-table">
        <thead>
          <tr>
            <th scope="col">{t.admin.colTime}</th>
            <th scope="col">{t.admin.colAction}</th>
            <th scope="col">{t.admin.colActor}</th>
            <th scope="col">{t.admin.colSession}</th>
            <th scope="col">{t.admin.colDetail}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const detail = detailText(e.detail);
            return (
              <tr key={e.id}>
                <td className="nowrap">{time.format(e.at)}</td>
                <td>
                  <code className="action">{e.action}</code>
                </td>
                <td className="mono small">
                  {e.actorType}
                  {e.actorId ? ` · ${e.actorId}` : ''}
                </td>
                <td className="mono small">{e.sessionId ?? ''}</td>
                <td className="detail mono small" title={detail}>
                  {detail}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function AuditPage() {
  const [form, setForm] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [applied, setApplied] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [entries, setEntries] = useState<Loaded<AuditEntry[]>>({ state: 'loading' });

  useEffect(() => {
    let cancelled = false;
    setEntries((e) => (e.state === 'ready' ? e : { state: 'loading' }));
    void adminApi.audit(auditQuery(applied, { limit: VIEW_LIMIT })).then((r) => {
      if (!cancelled) setEntries(r.ok ? { state: 'ready', value: r.value } : { state: 'error', message: r.message });
    });
    return () => {
      cancelled = true;
    };
  }, [applied]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setApplied({ ...form });
  };
  const clear = () => {
    setForm(EMPTY_AUDIT_FILTER);
    setApplied(EMPTY_AUDIT_FILTER);
  };
  // The exports download everything the applied filter matches (the server caps at 10 000).
  const exportHref = (format: 'csv' | 'json') => `/api/audit?${auditQuery(applied, { format, limit: 10_000 })}`;

  return (
    <>
      <AdminPageHeader title={t.admin.auditHeading} intro={t.admin.auditIntro}>
        <a className="button button-ghost button-small" href={exportHref('csv')} download="samepage-audit.csv">
          {t.admin.exportCsv}
        </a>
        <a className="button button-ghost button-small" href={exportHref('json')} download="samepage-audit.json">
          {t.admin.exportJson}
        </a>
      </AdminPageHeader>
      <section className="card admin-card">
        <form className="filter-bar" role="search" aria-label={t.admin.auditHeading} onSubmit={submit}>
          {FIELDS.map((f) => (
            <label className="field field-tight" key={f.key}>
              <span className="field-label">{f.label}</span>
              <input type={f.type} value={form[f.key]} placeholder={f.placeholder} autoComplete="off" spellCheck={false} onChange={(e) => setForm((x) => ({ ...x, [f.key]: e.target.value }))} />
            </label>
          ))}
          <div className="filter-actions">
            <button type="submit" className="button button-primary">
              {t.admin.applyFilter}
            </button>
            <button type="button" className="button button-ghost" onClick={clear}>
              {t.admin.clearFilter}
            </button>
          </div>
        </form>
        <p className="muted small" role="status">
          {entries.state === 'ready' ? t.admin.entriesShown(entries.value.length) : ''}
        </p>
        <LoadGate data={entries}>{(list) => <AuditTable entries={list} />}</LoadGate>
      </section>
    </>
  );
}
