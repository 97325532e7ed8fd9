/**
 * Group keys (docs/E2EE.md, "Epochs"). The customer's tab owns them: it picks every epoch
 * number and secret E_n, and sends E_n to each verified agent under that agent's pairwise key.
 *
 * - createEpoch: a fresh random 32-byte secret (every page load, every timer rotation).
 * - advanceOnJoin: E_{n+1} = HKDF(E_n, "join"), so a newcomer cannot compute E_n (no past frames).
 * - replaceOnLeave: a fresh random secret, so a departed agent cannot compute E_{n+1}.
 * Epoch numbers only increase; a number is never reused within a session.
 *
 * @example
 *   let epoch = chooseEpochAtPageLoad({ serverEpoch: welcome.epoch, lastUsedEpoch: stored });
 *   epoch = await advanceOnJoin(epoch, sessionId);
 *   const sender = await createGroupSender(epoch, sessionId, E2EE_CUSTOMER);
 */
import { copyBytes, randomBytes, type Bytes } from './bytes.ts';
import { E2EE_TO_GROUP } from './envelope-header.ts';
import { createFrameSender, type FrameSender } from './frame-sender.ts';
import { createFrameOpener, type FrameOpener } from './frame-opener.ts';
import { KEY_BYTES, deriveGroupMaterial, deriveJoinSecret, importHkdfKey } from './kdf.ts';
import { isValidEpoch } from './key-scope.ts';

/** Rotate at least this often even when nobody joins or leaves. */
export const EPOCH_MAX_AGE_MS = 10 * 60 * 1000;
export const MAX_EPOCH = 0xffffffff;

/** Why the epoch began; 'received' on an agent, which only learns E_n from a `key` frame. */
export type EpochReason = 'page_load' | 'join' | 'leave' | 'timer' | 'received';

export interface EpochSecret {
  readonly epoch: number;
  /** E_n. Only the customer's tab keeps the bytes (to advance and to wrap them); agents import them. */
  readonly secret: Bytes;
  readonly reason: EpochReason;
  /** Milliseconds since 1970, for the rotation timer. */
  readonly createdAt: number;
}

export function createEpoch(epoch: number, reason: EpochReason = 'page_load', now = Date.now()): EpochSecret {
  if (!isValidEpoch(epoch)) throw new RangeError(`invalid epoch number ${epoch}`);
  return Object.freeze({ epoch, secret: randomBytes(KEY_BYTES), reason, createdAt: now });
}

export function nextEpochNumber(current: number): number {
  if (current >= MAX_EPOCH) throw new RangeError('the session has used every epoch number: start a new session');
  return current + 1;
}

/**
 * After a join: E_{n+1} is derived from E_n. Members who hold E_n can follow on their own when
 * frames of epoch n+1 arrive (no extra round trip); the newcomer gets E_{n+1} only, and a one-way
 * function cannot be run backwards to E_n.
 */
export async function advanceOnJoin(current: EpochSecret, sessionId: string, now = Date.now()): Promise<EpochSecret> {
  const epoch = nextEpochNumber(current.epoch);
  return Object.freeze({ epoch, secret: await deriveJoinSecret(current.secret, sessionId, epoch), reason: 'join' as const, createdAt: now });
}

/** After a leave: a fresh random secret that the departed agent has no way to derive. */
export function replaceOnLeave(current: EpochSecret, now = Date.now()): EpochSecret {
  return createEpoch(nextEpochNumber(current.epoch), 'leave', now);
}

/** Timer rotation: also a fresh random secret (it bounds what one leaked secret reveals). */
export function rotateOnTimer(current: EpochSecret, now = Date.now()): EpochSecret {
  return createEpoch(nextEpochNumber(current.epoch), 'timer', now);
}

export function isRotationDue(current: EpochSecret, now = Date.now(), maxAgeMs = EPOCH_MAX_AGE_MS): boolean {
  return now - current.createdAt >= maxAgeMs;
}

/**
 * The first epoch of a page load: a fresh random secret, numbered above both the relay's current
 * epoch and the highest number this tab stored for the session, so a relay that lies about the
 * current epoch still cannot make the tab reuse a number.
 */
export function chooseEpochAtPageLoad(known: { serverEpoch?: number | null; lastUsedEpoch?: number | null } = {}, now = Date.now()): EpochSecret {
  const highest = Math.max(known.serverEpoch ?? 0, known.lastUsedEpoch ?? 0);
  return createEpoch(nextEpochNumber(highest), 'page_load', now);
}

/** The sender of `member`'s group frames in this epoch. One per member per epoch, in memory only. */
export async function createGroupSender(epoch: EpochSecret, sessionId: string, member: number): Promise<FrameSender> {
  const material = await deriveGroupMaterial(epoch.secret, sessionId, epoch.epoch, member);
  return createFrameSender(material, { sessionId, epoch: epoch.epoch, sender: member, to: E2EE_TO_GROUP });
}

/**
 * The opener side of one epoch: imports E_n once, non-extractable, and derives one opener per
 * sender on first use (at most `maxSenders`, so a relay cannot make a receiver derive without end).
 */
export class GroupEpochKeys {
  readonly #openers = new Map<number, Promise<FrameOpener>>();

  private constructor(
    readonly epoch: number,
    private readonly sessionId: string,
    private readonly base: CryptoKey,
    private readonly maxSenders: number,
  ) {}

  static async create(epoch: EpochSecret, sessionId: string, maxSenders = 64): Promise<GroupEpochKeys> {
    return new GroupEpochKeys(epoch.epoch, sessionId, await importHkdfKey(copyBytes(epoch.secret)), maxSenders);
  }

  /** The opener for `sender`'s group frames, or null past the sender limit. */
  openerFor(sender: number): Promise<FrameOpener> | null {
    let opener = this.#openers.get(sender);
    if (!opener) {
      if (this.#openers.size >= this.maxSenders) return null;
      const scope = { sessionId: this.sessionId, epoch: this.epoch, sender, to: E2EE_TO_GROUP };
      opener = deriveGroupMaterial(this.base, this.sessionId, this.epoch, sender).then((material) => createFrameOpener(material, scope));
      this.#openers.set(sender, opener);
    }
    return opener;
  }
}
