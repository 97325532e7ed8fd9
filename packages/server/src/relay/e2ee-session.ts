import { E2EE_CUSTOMER, E2EE_TO_GROUP } from '@samepage/protocol';
import { E2eeFrameCache } from './e2ee-frame-cache.ts';
import { E2eeGate } from './e2ee-gate.ts';

/**
 * The relay's state of one end-to-end encrypted session: the gate (epoch, sequence numbers,
 * rates), the ciphertext late-join cache, and the member numbers. The customer's tab is member 0;
 * each agent gets the next number when it joins and keeps it while it stays (also when the
 * session moves to another node). A number is never given to anyone else in the session, so no
 * two clients ever derive the same per-sender key of an epoch.
 */
export class E2eeSession {
  readonly gate = new E2eeGate(Infinity);
  readonly cache: E2eeFrameCache;
  private nextNumber = 1;
  private readonly participants = new Map<number, string>();

  constructor(maxCacheBytes: number) {
    this.cache = new E2eeFrameCache(maxCacheBytes);
  }

  /** A participant joins: its number, kept when it already has one (a moved session). */
  assign(participantId: string, kept?: number): number {
    const member = kept !== undefined && kept > E2EE_CUSTOMER && !this.participants.has(kept) ? kept : this.nextNumber;
    this.nextNumber = Math.max(this.nextNumber, member + 1);
    this.participants.set(member, participantId);
    return member;
  }

  /** The participant left: its number is retired and its sequence streams dropped. */
  release(member: number): void {
    this.participants.delete(member);
    this.gate.forget(member);
  }

  participantOf(member: number): string | undefined {
    return this.participants.get(member);
  }

  /** The next number to give out; saved in the cluster's session record so a new home never reuses one. */
  get next(): number {
    return this.nextNumber;
  }

  /** Continues numbering after a takeover (numbers already given out stay retired). */
  continueFrom(next: number): void {
    this.nextNumber = Math.max(this.nextNumber, Math.min(next, E2EE_TO_GROUP));
  }

  get full(): boolean {
    return this.nextNumber >= E2EE_TO_GROUP;
  }
}
