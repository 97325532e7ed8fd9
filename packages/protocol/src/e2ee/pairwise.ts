/**
 * Pairwise keys: what a verified pairing gives both sides. The root K_i never encrypts anything
 * itself; for each epoch n and direction it derives one traffic key and salt, so each side seals
 * with its own FrameSender per epoch (customer → agent: `key`, `ctl_result`; agent → customer:
 * `ctl`, `vouch`). Only a verified pairing hands out a PairwiseLink, so nothing can be sealed for
 * an agent, and no epoch key released, before the customer confirmed the match.
 *
 * @example
 *   const link = customerPairing.link(); // null until verified
 *   const toAgent = await createPairwiseSender(link, epoch.epoch, 'customer');
 *   socket.send(await sealEpochKey(toAgent, epoch));
 */
import type { Bytes } from './bytes.ts';
import type { OpenResult } from './envelope.ts';
import { type EpochSecret } from './epochs.ts';
import { createFrameOpener, type FrameOpener } from './frame-opener.ts';
import { createFrameSender, type FrameSender } from './frame-sender.ts';
import { KEY_BYTES, derivePairwiseMaterial, type PairwiseDirection } from './kdf.ts';
import { isValidEpoch } from './key-scope.ts';

export type PairingSide = 'customer' | 'agent';

export interface PairwiseLink {
  readonly sessionId: string;
  /** The member that answered the commitment: 0, the customer's tab. */
  readonly customer: number;
  /** The agent's member number, bound into the pairing transcript. */
  readonly agent: number;
  /** K_i: non-extractable, so it can be kept in IndexedDB without ever being readable. */
  readonly root: CryptoKey;
  readonly agentFingerprint: Bytes;
  /** How the customer verified the agent: compared codes, or a verified agent vouched. */
  readonly verifiedBy: 'sas' | 'vouch';
  /** The member that vouched, when verifiedBy is 'vouch'. */
  readonly voucher?: number;
}

function directionOf(side: PairingSide, sending: boolean): PairwiseDirection {
  return (side === 'customer') === sending ? 'to_agent' : 'to_customer';
}

function scopeOf(link: PairwiseLink, epoch: number, direction: PairwiseDirection) {
  return direction === 'to_agent'
    ? { sessionId: link.sessionId, epoch, sender: link.customer, to: link.agent }
    : { sessionId: link.sessionId, epoch, sender: link.agent, to: link.customer };
}

/** `side`'s sender towards the other side, for one epoch. Create one per epoch and keep it. */
export async function createPairwiseSender(link: PairwiseLink, epoch: number, side: PairingSide): Promise<FrameSender> {
  if (!isValidEpoch(epoch)) throw new RangeError(`invalid epoch ${epoch}`);
  const direction = directionOf(side, true);
  const scope = scopeOf(link, epoch, direction);
  return createFrameSender(await derivePairwiseMaterial(link.root, direction, link.sessionId, epoch, scope.sender), scope);
}

/** `side`'s opener for what the other side sends, for one epoch. */
export async function createPairwiseOpener(link: PairwiseLink, epoch: number, side: PairingSide): Promise<FrameOpener> {
  if (!isValidEpoch(epoch)) throw new RangeError(`invalid epoch ${epoch}`);
  const direction = directionOf(side, false);
  const scope = scopeOf(link, epoch, direction);
  return createFrameOpener(await derivePairwiseMaterial(link.root, direction, link.sessionId, epoch, scope.sender), scope);
}

/** Wraps E_n for one agent: a `key` frame of epoch n under that agent's pairwise key of epoch n. */
export function sealEpochKey(toAgent: FrameSender, epoch: EpochSecret): Promise<Bytes> {
  if (toAgent.scope.epoch !== epoch.epoch) return Promise.reject(new RangeError(`the pairwise sender is for epoch ${toAgent.scope.epoch}, not ${epoch.epoch}`));
  return toAgent.seal('key', epoch.secret);
}

/** Reads E_n out of an opened `key` frame; null for anything else. */
export function readEpochKey(result: OpenResult, now = Date.now()): EpochSecret | null {
  if (!result.ok || result.header.type !== 'key' || result.plaintext.byteLength !== KEY_BYTES) return null;
  return Object.freeze({ epoch: result.header.epoch, secret: result.plaintext, reason: 'received' as const, createdAt: now });
}
