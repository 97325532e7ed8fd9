/**
 * The customer's group keys (docs/E2EE.md, "Epochs"): the tab owns E_n. At page load it picks a
 * fresh epoch above the relay's and its own high-water mark; on a verified join it advances
 * (E_{n+1} = HKDF(E_n)); on a leave it replaces E_n with a random secret; every 10 minutes it
 * rotates. Each new epoch's secret goes to every verified agent in a `key` frame under that
 * agent's pairwise key, and the capture pipeline then sends a fresh keyframe under it.
 *
 * Epoch changes run one at a time. While one runs there is no group sender, so nothing is sealed
 * under an epoch the agents are leaving; group frames asked for meanwhile wait for the new one.
 */
import {
  E2EE_CUSTOMER,
  Keyring,
  advanceOnJoin,
  chooseEpochAtPageLoad,
  createGroupSender,
  createPairwiseSender,
  isRotationDue,
  replaceOnLeave,
  rotateOnTimer,
  sealEpochKey,
  type E2eeType,
  type EpochSecret,
  type FrameSender,
  type PairwiseLink,
} from '@samepage/protocol/e2ee';
import type { Outbox } from './e2ee-outbox.ts';

export interface CustomerKeysOptions {
  sessionId: string;
  outbox: Outbox;
  /** A new epoch is in force (persist its number, take a keyframe). */
  onEpoch(epoch: number, reason: EpochSecret['reason']): void;
  /** Every epoch secret this tab enters, once (recorded sessions wrap it to the tenant's recording key). */
  onSecret?(epoch: EpochSecret): void;
  report(error: unknown): void;
}

export class CustomerKeys {
  readonly keyring = new Keyring();
  private epoch: EpochSecret | null = null;
  private group: FrameSender | null = null;
  private toAgent = new Map<number, FrameSender>();
  private readonly links = new Map<number, PairwiseLink>();
  private chain: Promise<void> = Promise.resolve();
  private waiting: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: CustomerKeysOptions) {}

  /** The epoch in force, or null before the first one (or while switching). */
  get current(): number | null {
    return this.group ? (this.epoch?.epoch ?? null) : null;
  }

  /** The highest epoch number used, for pair frames' headers. */
  get lastEpoch(): number {
    return this.epoch?.epoch ?? 0;
  }

  isVerified(member: number): boolean {
    return this.links.has(member);
  }

  verifiedMembers(): number[] {
    return [...this.links.keys()];
  }

  linkOf(member: number): PairwiseLink | null {
    return this.links.get(member) ?? null;
  }

  /** The page load's first epoch. Links restored from storage get it too. */
  start(serverEpoch: number | null, highWater: number | null): Promise<void> {
    return this.change(() => chooseEpochAtPageLoad({ serverEpoch, lastUsedEpoch: highWater }));
  }

  /** A verified agent (codes compared, or vouched for): it gets the next epoch, and only that one. */
  addAgent(link: PairwiseLink, rekey = true): boolean {
    if (!this.keyring.addLink(link, 'customer')) return false;
    this.links.set(link.agent, link);
    if (rekey) void this.change((epoch) => (epoch ? advanceOnJoin(epoch, this.options.sessionId) : null));
    return true;
  }

  /** A verified agent left: a fresh random epoch it cannot derive. */
  removeAgent(member: number): void {
    if (!this.links.delete(member)) return;
    this.keyring.removeLink(member);
    void this.change((epoch) => (epoch ? replaceOnLeave(epoch) : null));
  }

  /** The 10-minute rotation; call it now and then. */
  rotateIfDue(now = Date.now()): void {
    if (this.epoch && this.group && isRotationDue(this.epoch, now)) void this.change((epoch) => (epoch ? rotateOnTimer(epoch) : null));
  }

  /** Seals a group frame (DOM, chat) now, or as soon as the next epoch is in force. */
  sealGroup(type: E2eeType, body: Uint8Array, immediateOnly = false): boolean {
    const group = this.group;
    if (group) {
      this.options.outbox.push(group.seal(type, body), body.byteLength);
      return true;
    }
    if (immediateOnly || this.stopped) return false;
    if (this.waiting.length < 100) this.waiting.push(() => this.sealGroup(type, body, true));
    return true;
  }

  /** Seals a pairwise frame (ctl_result) for a verified agent under the current epoch. */
  sealToAgent(member: number, type: E2eeType, body: Uint8Array): boolean {
    const sender = this.toAgent.get(member);
    if (!sender || !this.group) return false;
    this.options.outbox.push(sender.seal(type, body), body.byteLength);
    return true;
  }

  /** Resolves once every epoch change asked for so far is done. */
  settled(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
    this.group = null;
    this.toAgent.clear();
    this.waiting = [];
  }

  private change(next: (epoch: EpochSecret | null) => EpochSecret | null | Promise<EpochSecret | null>): Promise<void> {
    this.chain = this.chain
      .then(async () => {
        if (this.stopped) return;
        const epoch = await next(this.epoch);
        if (epoch) await this.enter(epoch);
      })
      .catch((error: unknown) => this.options.report(error));
    return this.chain;
  }

  private async enter(next: EpochSecret): Promise<void> {
    const { sessionId, outbox } = this.options;
    this.group = null; // nothing more under the old epoch
    const group = await createGroupSender(next, sessionId, E2EE_CUSTOMER);
    await this.keyring.addEpoch(next, sessionId);
    this.keyring.forgetEpochsBefore(next.epoch);
    const senders = new Map<number, FrameSender>();
    for (const [member, link] of this.links) {
      const sender = await createPairwiseSender(link, next.epoch, 'customer');
      senders.set(member, sender);
      outbox.push(sealEpochKey(sender, next), 0);
    }
    if (this.stopped) return;
    this.epoch = next;
    this.toAgent = senders;
    this.group = group;
    this.options.onSecret?.(next);
    this.options.onEpoch(next.epoch, next.reason);
    for (const run of this.waiting.splice(0)) run();
  }
}
