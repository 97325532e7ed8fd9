/**
 * A receiver's keys, dispatching each frame on its cleartext header: group frames to the epoch's
 * per-sender openers, pairwise frames to the link with that peer, whose opener for the frame's
 * epoch is derived on first use. Epochs below the floor set by forgetEpochsBefore stay refused
 * for good, so a replayed old frame cannot come back through a fresh replay window. Never throws.
 *
 * @example
 *   const keyring = new Keyring();
 *   keyring.addLink(link, 'agent');
 *   const result = await keyring.open(frame); // a `key` frame
 *   const epoch = readEpochKey(result);
 *   if (epoch && (await keyring.addEpoch(epoch, sessionId))) startSendingIn(epoch);
 */
import { E2EE_PAIRWISE_TYPES, decodeE2eeHeader } from './envelope-header.ts';
import type { OpenOptions, OpenResult } from './envelope.ts';
import { GroupEpochKeys, type EpochSecret } from './epochs.ts';
import type { FrameOpener } from './frame-opener.ts';
import { createPairwiseOpener, type PairingSide, type PairwiseLink } from './pairwise.ts';

/** Pairwise epochs a link keeps openers for; older ones are dropped first. */
const MAX_LINK_EPOCHS = 4;

interface LinkEntry {
  link: PairwiseLink;
  side: PairingSide;
  openers: Map<number, Promise<FrameOpener>>;
}

export class Keyring {
  readonly #epochs = new Map<number, GroupEpochKeys>();
  /** Keyed by the peer's member number. */
  readonly #links = new Map<number, LinkEntry>();
  #floor = 0;

  /** Adds an epoch's group key. True only the first time: create this epoch's senders then, never again. */
  async addEpoch(epoch: EpochSecret, sessionId: string): Promise<boolean> {
    if (epoch.epoch < this.#floor || this.#epochs.has(epoch.epoch)) return false;
    const keys = await GroupEpochKeys.create(epoch, sessionId);
    if (this.#epochs.has(epoch.epoch)) return false;
    this.#epochs.set(epoch.epoch, keys);
    return true;
  }

  /**
   * Adds a verified pairing; `side` is this end of it. False when another pairing already holds
   * that member number: two agents under one number would share a per-sender group key, so the
   * customer gives epoch keys to one of them only (removeLink first, when that agent has left).
   */
  addLink(link: PairwiseLink, side: PairingSide): boolean {
    const peer = side === 'customer' ? link.agent : link.customer;
    const existing = this.#links.get(peer);
    if (existing) return existing.link === link;
    this.#links.set(peer, { link, side, openers: new Map() });
    return true;
  }

  linkOf(peer: number): PairwiseLink | null {
    return this.#links.get(peer)?.link ?? null;
  }

  removeLink(peer: number): void {
    this.#links.delete(peer);
  }

  hasEpoch(epoch: number): boolean {
    return this.#epochs.has(epoch);
  }

  /** Drops every key of epochs below `epoch` and refuses them from now on. */
  forgetEpochsBefore(epoch: number): void {
    this.#floor = Math.max(this.#floor, epoch);
    for (const n of this.#epochs.keys()) if (n < this.#floor) this.#epochs.delete(n);
    for (const entry of this.#links.values()) for (const n of entry.openers.keys()) if (n < this.#floor) entry.openers.delete(n);
  }

  async open(frame: Uint8Array, options: OpenOptions = {}): Promise<OpenResult> {
    const header = decodeE2eeHeader(frame);
    if (!header) return { ok: false, reason: 'malformed' };
    if (header.type === 'pair') return { ok: false, reason: 'not_encrypted', header };
    if (header.epoch < this.#floor) return { ok: false, reason: 'unknown_key', header };
    const opener = E2EE_PAIRWISE_TYPES.has(header.type) ? this.#pairwiseOpener(header.sender, header.epoch) : this.#epochs.get(header.epoch)?.openerFor(header.sender);
    if (!opener) return { ok: false, reason: 'unknown_key', header };
    try {
      return await (await opener).open(frame, options);
    } catch {
      return { ok: false, reason: 'unknown_key', header };
    }
  }

  #pairwiseOpener(peer: number, epoch: number): Promise<FrameOpener> | null {
    const entry = this.#links.get(peer);
    if (!entry) return null;
    let opener = entry.openers.get(epoch);
    if (!opener) {
      const oldest = Math.min(...entry.openers.keys());
      // A frame older than every epoch kept is refused rather than given a fresh replay window.
      if (entry.openers.size >= MAX_LINK_EPOCHS && epoch < oldest) return null;
      opener = createPairwiseOpener(entry.link, epoch, entry.side);
      entry.openers.set(epoch, opener);
      if (entry.openers.size > MAX_LINK_EPOCHS) entry.openers.delete(oldest);
    }
    return opener;
  }
}
