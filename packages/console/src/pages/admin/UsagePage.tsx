import { useId } from 'react';
import { adminApi, type Plan, type Usage } from '../../admin/admin-api.ts';
import { fraction } from '../../admin/admin-model.ts';
import { t } from '../../i18n/index.ts';
import { AdminPageHeader, LoadGate, useLoad } from './admin-ui.tsx';

const loadUsage = () => adminApi.usage();

function planText(plan: Plan): string {
  if (plan.kind === 'seats') return t.admin.planSeats(plan.limit);
  if (plan.kind === 'capacity') return t.admin.planCapacity(plan.limit);
  return t.admin.planUnlimited;
}

function Meter({ label, value, max, text }: { label: string; value: number; max: number | undefined; text: string }) {
  const share = fraction(value, max);
  const id = useId();
  return (
    <div className="stat">
      <span className="stat-label" id={id}>
        {label}
      </span>
      <span className="stat-value">{text}</span>
      {max !== undefined && (
        <div
          className={share >= 1 ? 'meter meter-full' : 'meter'}
          role="meter"
          aria-labelledby={id}
          aria-valuemin={0}
          aria-valuemax={max}
          aria-valuenow={value}
          aria-valuetext={text}
        >
          <span style={{ width: `${share * 100}%` }} />
        </div>
      )}
    </div>
  );
}

/** A table whose rows carry a bar for the value: readable as a table, scannable as a chart. */
function BarTable({ caption, headers, rows }: { caption: string; headers: [string, string, string?]; rows: { key: string; value: number; extra?: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <table className="admin-table bar-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{headers[0]}</th>
          <th scope="col">{headers[1]}</th>
          {headers[2] && <th scope="col">{headers[2]}</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th scope="row" className="mono">
              {row.key}
            </th>
            <td className="bar-cell">
              <span className="bar" style={{ width: `${(row.value / max) * 100}%` }} aria-hidden="true" />
              <span className="bar-number">{row.value}</span>
            </td>
            {headers[2] && <td className="num">{row.extra ?? 0}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function UsageView({ usage }: { usage: Usage }) {
  const seatLimit = usage.plan.kind === 'seats' ? usage.plan.limit : undefined;
  const capacity = usage.plan.kind === 'capacity' ? usage.plan.limit : undefined;
  const daily = [...usage.daily].sort((a, b) => a.day.localeCompare(b.day));
  const monthly = [...usage.monthly].sort((a, b) => a.month.localeCompare(b.month));
  return (
    <>
      <section className="card admin-card stats" aria-label={t.admin.planLabel}>
        <div className="stat">
          <span className="stat-label">{t.admin.planLabel}</span>
          <span className="stat-value" data-testid="plan">
            {planText(usage.plan)}
          </span>
        </div>
        <Meter label={t.admin.seatsUsedLabel} value={usage.seatsUsed} max={seatLimit} text={t.admin.seatsOf(usage.seatsUsed, seatLimit ?? null)} />
        <Meter
          label={t.admin.liveSessionsLabel}
          value={usage.liveSessions}
          max={capacity}
          text={capacity === undefined ? String(usage.liveSessions) : t.admin.capacityOf(usage.liveSessions, capacity)}
        />
      </section>
      <div className="usage-grid">
        <section className="card admin-card" aria-labelledby="daily-h">
          <h2 id="daily-h">{t.admin.dailyHeading}</h2>
          <p className="muted small">{t.admin.dailyCaption}</p>
          {daily.length === 0 ? (
            <p className="muted">{t.admin.noUsage}</p>
          ) : (
            <BarTable caption={t.admin.dailyHeading} headers={[t.admin.colDay, t.admin.colPeak, t.admin.colSessions]} rows={daily.map((d) => ({ key: d.day, value: d.peakConcurrent, extra: d.sessions }))} />
          )}
        </section>
        <section className="card admin-card" aria-labelledby="monthly-h">
          <h2 id="monthly-h">{t.admin.monthlyHeading}</h2>
          {monthly.length === 0 ? (
            <p className="muted">{t.admin.noUsage}</p>
          ) : (
            <BarTable caption={t.admin.monthlyHeading} headers={[t.admin.colMonth, t.admin.colSessions]} rows={monthly.map((m) => ({ key: m.month, value: m.sessions }))} />
          )}
        </section>
      </div>
    </>
  );
}

export function UsagePage() {
  const [usage] = useLoad(loadUsage);
  return (
    <>
      <AdminPageHeader title={t.admin.usageHeading} />
      <LoadGate data={usage}>{(value) => <UsageView usage={value} />}</LoadGate>
    </>
  );
}
