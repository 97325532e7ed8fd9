import { t } from '../i18n/index.ts';

/** Says that the session is end-to-end encrypted, and which server features that switches off. */
export function E2eeBadge() {
  return (
    <details className="e2ee-badge">
      <summary className="badge">{t.e2eeBadge}</summary>
      <div className="card e2ee-details" role="note" aria-label={t.e2eeOffTitle}>
        <strong>{t.e2eeOffTitle}</strong>
        <ul>
          {t.e2eeOffList.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </div>
    </details>
  );
}
