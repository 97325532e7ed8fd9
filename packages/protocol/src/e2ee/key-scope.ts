/**
 * What one key may seal: a sender, in one session and epoch, to the group or to one member.
 * Both the sender and the opener check a frame's header against this scope, so a frame cannot
 * be moved to another epoch, sender, recipient or kind of key without failing.
 */
import { E2EE_CUSTOMER, E2EE_PAIRWISE_TYPES, E2EE_TO_GROUP, E2EE_TYPE_SENDERS, type E2eeType } from './envelope-header.ts';

export interface KeyScope {
  sessionId: string;
  epoch: number;
  /** The sending member: 0 is the customer's tab. */
  sender: number;
  /** One member for pairwise keys, E2EE_TO_GROUP for the group key. */
  to: number;
}

export function isGroupScope(scope: KeyScope): boolean {
  return scope.to === E2EE_TO_GROUP;
}

/** Whether `type` may travel under a key of this scope: pairwise types on pairwise keys, and the sender's role allows it. */
export function isTypeAllowed(scope: KeyScope, type: E2eeType): boolean {
  if (type === 'pair') return false;
  if (E2EE_PAIRWISE_TYPES.has(type) === isGroupScope(scope)) return false;
  const role = E2EE_TYPE_SENDERS[type];
  if (role === 'customer') return scope.sender === E2EE_CUSTOMER;
  if (role === 'agent' || role === 'controller') return scope.sender !== E2EE_CUSTOMER;
  return true;
}

/** A member number an agent may have: not the customer's 0, not the group address. */
export function isAgentMember(member: number): boolean {
  return Number.isInteger(member) && member > E2EE_CUSTOMER && member < E2EE_TO_GROUP;
}

export function isValidEpoch(epoch: number): boolean {
  return Number.isInteger(epoch) && epoch >= 0 && epoch <= 0xffffffff;
}

export function describeScope(scope: KeyScope): string {
  return `epoch ${scope.epoch}, sender ${scope.sender}, to ${isGroupScope(scope) ? 'group' : scope.to}`;
}
