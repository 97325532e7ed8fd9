/**
 * The customer's pairings with agents (docs/E2EE.md, "Pairing" and "Vouching"): one
 * CustomerPairing per agent member, driven by that agent's `pair` frames. When both sides have
 * the code, the customer is asked; only "It matches" (or a vouch from an agent verified by
 * codes) gives the agent a pairwise link, and so the next epoch key. One attempt per member
 * number: an agent who failed rejoins (a new number) to try again, and after a few failures in a
 * page load the tab stops answering, since each attempt needs the customer.
 */
import {
  CustomerPairing,
  acceptVouch,
  encodePairFrame,
  type E2eeHeader,
  type OpenResult,
  type PairBody,
  type PairingFailure,
  type PairwiseLink,
} from '@samepage/protocol/e2ee';
import type { Participant } from '@samepage/protocol';

/** Failed pairings after which this page load stops pairing. */
export const MAX_FAILED_PAIRINGS = 5;

export interface PairingsOptions {
  sessionId: string;
  /** The agent with this member number, if it is in the session. */
  agentOf(member: number): Participant | undefined;
  /** The header epoch for pair frames (the customer's newest). */
  epoch(): number;
  sendFrame(frame: Uint8Array): void;
  /** Both screens show `code` now: ask the customer. */
  ask(agent: Participant, code: string): void;
  verified(agent: Participant, link: PairwiseLink, voucher: Participant | null): void;
  failed(agent: Participant, reason: PairingFailure): void;
}

export class CustomerPairings {
  private readonly pairings = new Map<number, CustomerPairing>();
  private readonly seqs = new Map<number, number>();
  private failures = 0;

  constructor(private readonly options: PairingsOptions) {}

  /** A `pair` frame from an agent. */
  async receive(header: E2eeHeader, body: PairBody): Promise<void> {
    const agent = this.options.agentOf(header.sender);
    if (!agent) return;
    let pairing = this.pairings.get(header.sender);
    if (!pairing) {
      if (body.step !== 'commit' || this.failures >= MAX_FAILED_PAIRINGS) return;
      pairing = new CustomerPairing({ sessionId: this.options.sessionId, agent: header.sender });
      this.pairings.set(header.sender, pairing);
    }
    const before = pairing.state;
    const step = await pairing.receive(body);
    this.send(header.sender, step.send);
    if (pairing.state === 'awaiting_confirmation' && before !== 'awaiting_confirmation' && pairing.sas) this.options.ask(agent, pairing.sas);
    if (pairing.state === 'failed' && before !== 'failed') this.fail(agent, pairing);
  }

  /** The customer's answer for one agent. */
  async confirm(member: number, matches: boolean): Promise<void> {
    const pairing = this.pairings.get(member);
    const agent = this.options.agentOf(member);
    if (!pairing || !agent || pairing.state !== 'awaiting_confirmation') return;
    const step = await pairing.confirm(matches);
    this.send(member, step.send);
    const link = pairing.link();
    if (link) this.options.verified(agent, link, null);
    else this.fail(agent, pairing);
  }

  /** A `vouch` frame opened under a verified agent's pairwise key. */
  vouch(opened: OpenResult, voucherLink: PairwiseLink): boolean {
    const result = acceptVouch(opened, voucherLink, (member) => this.pairings.get(member));
    if (!result.ok) return false;
    this.send(result.newcomer, result.step.send);
    const pairing = this.pairings.get(result.newcomer);
    const link = pairing?.link();
    const agent = this.options.agentOf(result.newcomer);
    if (!link || !agent) return false;
    this.options.verified(agent, link, this.options.agentOf(voucherLink.agent) ?? null);
    return true;
  }

  /** The agent left: its pairing (verified or not) is over. */
  forget(member: number): void {
    const pairing = this.pairings.get(member);
    if (pairing && pairing.state !== 'verified' && pairing.state !== 'failed') pairing.cancel();
    this.pairings.delete(member);
  }

  /** Members whose pairing waits for the customer's answer. */
  waiting(): number[] {
    return [...this.pairings].filter(([, p]) => p.state === 'awaiting_confirmation').map(([m]) => m);
  }

  private fail(agent: Participant, pairing: CustomerPairing): void {
    this.failures += 1;
    this.options.failed(agent, pairing.failure ?? 'unexpected_message');
  }

  private send(member: number, body: PairBody | null): void {
    if (!body) return;
    const seq = this.seqs.get(member) ?? 0;
    this.seqs.set(member, seq + 1);
    this.options.sendFrame(encodePairFrame({ epoch: this.options.epoch(), sender: 0, to: member, seq }, body));
  }
}
