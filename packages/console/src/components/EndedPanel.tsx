import { t } from '../i18n/index.ts';
import type { SessionState } from '../session/session-controller.ts';

function endedText(ended: NonNullable<SessionState['ended']>): string {
  switch (ended.endedBy) {
    case 'customer':
      return t.endedByCustomer;
    case 'agent':
      return t.endedByAgent;
    case 'connection':
      return t.connectionLost;
    default:
      return t.endedBySystem;
  }
}

export function EndedPanel({ ended, onBack }: { ended: NonNullable<SessionState['ended']>; onBack: () => void }) {
  return (
    <div className="ended-backdrop">
      <div className="card ended-card" role="status" aria-labelledby="ended-heading">
        <h2 id="ended-heading">{endedText(ended)}</h2>
        <p className="muted">{t.endedHint}</p>
        <button type="button" className="button button-primary" onClick={onBack}>
          {t.backHome}
        </button>
      </div>
    </div>
  );
}
