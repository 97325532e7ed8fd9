/**
 * Vouching between two agents' consoles (docs/E2EE.md, "Vouching"). A supervisor who is not on
 * the call asks a colleague the customer verified by codes: the supervisor commits to the
 * colleague with the same identity key it uses with the customer (AgentPairing, peer = the
 * colleague), both consoles show a code, and the colleague confirms that the codes match
 * ("Vouch for Sam"). The colleague's console then tells the customer's tab, under its own
 * pairwise key, which key it checked (a `vouch` frame with the key's fingerprint); the tab
 * verifies the supervisor's waiting pairing only if that fingerprint is the one it was shown.
 */
import {
  AgentPairing,
  CustomerPairing,
  sealVouch,
  type FrameSender,
  type PairBody,
  type PairingIdentity,
} from '@samepage/protocol';

export interface VouchView {
  /** The colleague's member number. */
  member: number;
  name: string;
  /** asking: this console asked `member` to vouch for it; asked: `member` asks this console. */
  role: 'asking' | 'asked';
  state: 'pairing' | 'code' | 'done' | 'failed';
  code: string | null;
}

export interface VouchingDeps {
  sessionId: string;
  member: number;
  identity: Promise<PairingIdentity>;
  sendPair(to: number, body: PairBody | null): void;
  /** Seals and sends a vouch to the customer; false when this console may not vouch. */
  sealVouch(seal: (toCustomer: FrameSender) => Promise<Uint8Array>): boolean;
  /** Only an agent the customer verified by comparing codes vouches (no chains). */
  canVouch(): boolean;
  nameOf(member: number): string;
  onChange(vouches: VouchView[]): void;
  report(error: unknown): void;
}

export class E2eeVouching {
  private readonly asking = new Map<number, AgentPairing>();
  private readonly asked = new Map<number, CustomerPairing>();
  private views = new Map<string, VouchView>();

  constructor(private readonly deps: VouchingDeps) {}

  /** Asks a colleague to vouch for this console. */
  async ask(member: number): Promise<void> {
    if (this.asking.has(member) || member === this.deps.member) return;
    const pairing = new AgentPairing({ sessionId: this.deps.sessionId, member: this.deps.member, identity: await this.deps.identity, peer: member });
    this.asking.set(member, pairing);
    this.show(member, 'asking', 'pairing', null);
    this.deps.sendPair(member, (await pairing.start()).send);
  }

  /** This console's answer to a colleague's request: do both consoles show the same code? */
  async answer(member: number, matches: boolean): Promise<void> {
    const pairing = this.asked.get(member);
    if (!pairing || pairing.state !== 'awaiting_confirmation') return;
    const fingerprint = pairing.agentFingerprint;
    const step = await pairing.confirm(matches);
    if (!matches || !fingerprint) {
      this.deps.sendPair(member, step.send);
      return this.show(member, 'asked', 'failed', null);
    }
    const sent = this.deps.sealVouch((toCustomer) => sealVouch(toCustomer, { newcomer: member, fingerprint }));
    this.deps.sendPair(member, step.send);
    this.show(member, 'asked', sent ? 'done' : 'failed', null);
  }

  /** A `pair` frame from another agent. */
  async receive(member: number, body: PairBody): Promise<void> {
    const mine = this.asking.get(member);
    if (mine) {
      const step = await mine.receive(body);
      this.deps.sendPair(member, step.send);
      if (mine.state === 'revealed') this.show(member, 'asking', 'code', mine.sas);
      else if (mine.state === 'verified') this.show(member, 'asking', 'done', null);
      else if (mine.state === 'failed') this.show(member, 'asking', 'failed', null);
      return;
    }
    let theirs = this.asked.get(member);
    if (!theirs) {
      if (body.step !== 'commit' || !this.deps.canVouch()) return;
      theirs = new CustomerPairing({ sessionId: this.deps.sessionId, agent: member, self: this.deps.member });
      this.asked.set(member, theirs);
    }
    const step = await theirs.receive(body);
    this.deps.sendPair(member, step.send);
    if (theirs.state === 'awaiting_confirmation') this.show(member, 'asked', 'code', theirs.sas);
    else if (theirs.state === 'failed') this.show(member, 'asked', 'failed', null);
  }

  forget(member: number): void {
    this.asking.delete(member);
    this.asked.delete(member);
    const before = this.views.size;
    for (const key of [...this.views.keys()]) if (key.endsWith(`:${member}`)) this.views.delete(key);
    if (this.views.size !== before) this.deps.onChange([...this.views.values()]);
  }

  private show(member: number, role: VouchView['role'], state: VouchView['state'], code: string | null): void {
    this.views = new Map(this.views).set(`${role}:${member}`, { member, name: this.deps.nameOf(member), role, state, code });
    this.deps.onChange([...this.views.values()]);
  }
}
