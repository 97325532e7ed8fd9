import { t } from '../i18n/index.ts';
import type { SessionState } from '../session/session-controller.ts';

export type StatusTone = 'live' | 'warn' | 'muted' | 'ended';

export function describeStatus(state: SessionState, ready: boolean): { text: string; tone: StatusTone } {
  if (state.phase === 'ended') return { text: t.statusEnded, tone: 'ended' };
  if (state.phase !== 'live') return { text: t.statusConnecting, tone: 'muted' };
  if (state.reconnecting) return { text: t.serverReconnecting, tone: 'warn' };
  switch (state.hostStatus) {
    case 'idle':
      return { text: t.statusIdle, tone: 'muted' };
    case 'hidden':
      return { text: t.statusHidden, tone: 'muted' };
    case 'unloading':
      return { text: t.statusUnloading, tone: 'warn' };
    case 'reconnecting':
      return { text: t.statusReconnecting, tone: 'warn' };
    case 'active':
      return ready ? { text: t.statusLive, tone: 'live' } : { text: t.statusWaiting, tone: 'muted' };
  }
}

export function StatusPill({ text, tone }: { text: string; tone: StatusTone }) {
  return (
    <span className={`status-pill status-${tone}`} data-testid="session-status" aria-live="polite">
      <span className="status-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
