/** What the console says about control of a shared browser, where the people decide (docs/SHARED-BROWSER.md). */
import type { Participant } from '@samepage/protocol';
import { enSharedBrowser as s } from '../i18n/en-shared-browser.ts';
import type { ControlView } from './control-text.ts';

const nameOf = (participants: readonly Participant[], id: string): string => participants.find((p) => p.id === id)?.name || 'Someone';
const isGuest = (participants: readonly Participant[], id: string): boolean => participants.find((p) => p.id === id)?.role === 'guest';

/** "You are in control", "Ada (customer) is in control", "Sam is in control" or nobody. */
export function describeSharedController(control: ControlView, selfId: string | null, participants: readonly Participant[]): string {
  const id = control.controllerId;
  if (id === null) return s.nobodyInControl;
  if (id === selfId) return s.youAreInControl;
  return isGuest(participants, id) ? s.customerInControl(nameOf(participants, id)) : s.agentInControl(nameOf(participants, id));
}

/** The customers (guests) waiting for an agent's answer. */
export function waitingCustomers(control: ControlView, participants: readonly Participant[]): Participant[] {
  return participants.filter((p) => p.role === 'guest' && control.pending.includes(p.id));
}

/** A notice for this viewer when a `control_state` change of a shared browser concerns them; null otherwise. */
export function sharedControlNotice(before: ControlView, after: ControlView, reason: string, selfId: string | null, participants: readonly Participant[]): string | null {
  if (selfId === null) return null;
  const had = before.controllerId === selfId;
  const has = after.controllerId === selfId;
  if (had && !has) {
    if (reason === 'taken_back' && after.controllerId) return s.tookBack(nameOf(participants, after.controllerId));
    return reason === 'released' ? null : s.lost;
  }
  if (!had && has && reason === 'granted' && isGuest(participants, selfId)) return s.nowInControl;
  if (reason === 'denied' && before.pending.includes(selfId) && !after.pending.includes(selfId)) return s.declined;
  const self = participants.find((p) => p.id === selfId);
  if (self?.role !== 'agent') return null;
  const asking = after.pending.find((id) => !before.pending.includes(id) && isGuest(participants, id));
  if (reason === 'requested' && asking) return s.asked(nameOf(participants, asking));
  if (reason === 'released' && before.controllerId && isGuest(participants, before.controllerId) && after.controllerId === null) return s.gaveBack(nameOf(participants, before.controllerId));
  return null;
}
