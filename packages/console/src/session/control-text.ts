/** What the console says about remote control: who holds it, what changed, why an action failed. */
import type { ControlFailure, Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';

export interface ControlView {
  controllerId: string | null;
  pending: string[];
}

export const NO_CONTROL: ControlView = { controllerId: null, pending: [] };

/** This agent's own position: what the Request/Release button shows. */
export type OwnControl = 'none' | 'pending' | 'in_control';

export function ownControl(control: ControlView, selfId: string | null): OwnControl {
  if (selfId === null) return 'none';
  if (control.controllerId === selfId) return 'in_control';
  return control.pending.includes(selfId) ? 'pending' : 'none';
}

/** "You are in control", "Ann is in control" or "The customer is in control". */
export function describeController(control: ControlView, selfId: string | null, participants: readonly Participant[]): string {
  if (control.controllerId === null) return t.customerInControl;
  if (control.controllerId === selfId) return t.youAreInControl;
  const name = participants.find((p) => p.id === control.controllerId)?.name ?? t.roleAgent;
  return t.agentInControl(name);
}

/** A notice for this agent when a `control_state` change concerns them; null otherwise. */
export function controlChangeNotice(before: ControlView, after: ControlView, reason: string, selfId: string | null): string | null {
  if (selfId === null) return null;
  const wasPending = before.pending.includes(selfId);
  const hadControl = before.controllerId === selfId;
  if (reason === 'denied' && wasPending && !after.pending.includes(selfId) && after.controllerId !== selfId) return t.controlDenied;
  if (reason === 'revoked' && hadControl) return t.controlTakenBack;
  if (hadControl && after.controllerId !== selfId && reason !== 'released') return t.controlLostLeft;
  return null;
}

/** The polite sentence for a failed control action. */
export function failureText(failure: ControlFailure | undefined, message: string | undefined): string {
  if (failure) return t.controlFailures[failure] ?? t.controlFailures.failed ?? message ?? '';
  return message || (t.controlFailures.failed ?? '');
}
