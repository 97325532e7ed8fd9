import type { Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';

export function ParticipantsList({ participants, selfId }: { participants: Participant[]; selfId: string | null }) {
  return (
    <section className="panel" aria-labelledby="participants-heading">
      <h2 id="participants-heading" className="panel-heading">
        {t.participantsHeading}
      </h2>
      <ul className="participants" aria-labelledby="participants-heading">
        {participants.map((p) => (
          <li key={p.id} className="participant">
            <span className="participant-dot" style={{ background: p.color || '#9ca3af' }} aria-hidden="true" />
            <span className="participant-name">
              {p.name} {p.id === selfId && <span className="muted">{t.you}</span>}
            </span>
            <span className="participant-role">{p.role === 'host' ? t.roleHost : t.roleAgent}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
