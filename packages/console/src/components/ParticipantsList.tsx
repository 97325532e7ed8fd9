import type { HostStatus, Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { enSharedBrowser } from '../i18n/en-shared-browser.ts';

const hostStates: Record<HostStatus, string> = {
  active: t.hostStateActive,
  idle: t.hostStateIdle,
  hidden: t.hostStateHidden,
  reconnecting: t.hostStateReconnecting,
  unloading: t.hostStateUnloading,
};

export function roleTitle(p: Pick<Participant, 'role' | 'title'>): string {
  if (p.role === 'host') return t.roleHost;
  if (p.role === 'guest') return t.roleGuest;
  return p.title || t.roleAgent;
}

interface Props {
  participants: Participant[];
  selfId: string | null;
  hostStatus: HostStatus;
  controllerId: string | null;
  /** A shared browser: the host is the browser on the server, and the guest is the customer. */
  sharedBrowser?: boolean;
  /** The session has ended: nobody is in it any more, whatever the last presence said. */
  ended?: boolean;
}

/** Everyone in the session, the customer first, with their role and (for the customer) their state. */
export function ParticipantsList({ participants, selfId, hostStatus, controllerId, sharedBrowser = false, ended = false }: Props) {
  const nameOf = (p: Participant) => (sharedBrowser && p.role === 'host' ? enSharedBrowser.browserName : p.name);
  const titleOf = (p: Participant) => (sharedBrowser && p.role === 'host' ? enSharedBrowser.browserRole : sharedBrowser && p.role === 'guest' ? enSharedBrowser.customerRole : roleTitle(p));
  const ordered = [...participants].sort((a, b) => Number(b.role === 'host') - Number(a.role === 'host'));
  return (
    <section className="panel" aria-labelledby="participants-heading">
      <h2 id="participants-heading" className="panel-heading">
        {t.participantsHeading}
      </h2>
      <ul className="participants" aria-labelledby="participants-heading">
        {ordered.map((p) => (
          <li key={p.id} className={ended ? 'participant participant-left' : 'participant'} data-testid="participant">
            <span className="participant-dot" style={{ background: ended ? '#9ca3af' : p.color || '#9ca3af' }} aria-hidden="true" />
            <span className="participant-main">
              <span className="participant-name">
                {nameOf(p)} {p.id === selfId && <span className="muted">{t.you}</span>}
              </span>
              <span className="participant-role">
                {titleOf(p)}
                {ended ? (
                  <>
                    {' · '}
                    <span className="host-state host-state-left" data-testid={p.role === 'host' ? 'host-state' : undefined}>
                      {t.participantLeft}
                    </span>
                  </>
                ) : p.role === 'host' && (
                  <>
                    {' · '}
                    <span className={`host-state host-state-${hostStatus}`} data-testid="host-state">
                      {hostStates[hostStatus]}
                    </span>
                  </>
                )}
              </span>
            </span>
            {!ended && p.id === controllerId && <span className="badge">{t.inControlBadge}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
