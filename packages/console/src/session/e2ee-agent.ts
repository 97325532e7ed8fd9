/**
 * The agent's end of an end-to-end encrypted session (docs/E2EE.md, "Integration"), outside
 * React. It commits to the customer's tab (AgentPairing), shows the code to read out, and once the
 * customer confirmed it holds the pairwise link: every `key` frame then gives it the epoch's
 * group key. It opens the DOM stream for the replica (the body is the same DOM frame an
 * unencrypted session sends), opens chat, and seals this agent's chat (group key) and control
 * actions (its pairwise key). Frames are handled strictly in arrival order, so a `key` frame is
 * always processed before the keyframe sealed under it. Vouching is in e2ee-vouching.ts.
 */
import {
  AgentPairing,
  E2EE_CUSTOMER,
  Keyring,
  createGroupSender,
  createPairingIdentity,
  createPairwiseSender,
  decodeAppBody,
  decodeE2eeHeader,
  decodePairFrame,
  encodeAppBody,
  encodePairFrame,
  readEpochKey,
  type ChatMessage,
  type ControlAction,
  type ControlFailure,
  type E2eeHeader,
  type FrameSender,
  type PairBody,
  type PairingFailure,
  type PairingIdentity,
  type PairwiseLink,
  type Participant,
} from '@samepage/protocol';
import { Store } from './store.ts';
import { E2eeVouching, type VouchView } from './e2ee-vouching.ts';

export interface AgentE2eeView {
  /** pairing: setting up; code: read `code` to the customer; verified: keys flow; failed: see `failure`. */
  status: 'pairing' | 'code' | 'verified' | 'failed';
  code: string | null;
  failure: PairingFailure | null;
  verifiedBy: 'sas' | 'vouch' | null;
  /** The epoch whose key this console holds, or null. */
  epoch: number | null;
  vouches: VouchView[];
  /** DOM frames opened, and encrypted frames that did not open (no key, or refused). */
  opened: number;
  unopened: number;
}

export interface AgentE2eeDeps {
  sessionId: string;
  /** This agent's member number (joined.participants). */
  member: number;
  self: Participant;
  sendFrame(frame: Uint8Array): void;
  /** An opened DOM frame, for the replica. */
  domFrame(frame: Uint8Array): void;
  chat(message: ChatMessage): void;
  controlResult(ok: boolean, failure: ControlFailure | undefined, message: string | undefined): void;
  participants(): readonly Participant[];
  report(error: unknown): void;
}

const initial: AgentE2eeView = { status: 'pairing', code: null, failure: null, verifiedBy: null, epoch: null, vouches: [], opened: 0, unopened: 0 };

export class AgentE2ee extends Store<AgentE2eeView> {
  private readonly keyring = new Keyring();
  private readonly identity: Promise<PairingIdentity> = createPairingIdentity();
  private pairing: AgentPairing | null = null;
  private link: PairwiseLink | null = null;
  private group: FrameSender | null = null;
  private toCustomer: FrameSender | null = null;
  private readonly pairSeqs = new Map<number, number>();
  private lastEpoch = 0;
  private chatSeq = 0;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private disposed = false;
  readonly vouching: E2eeVouching;

  constructor(private readonly deps: AgentE2eeDeps) {
    super(initial);
    this.vouching = new E2eeVouching({
      sessionId: deps.sessionId,
      member: deps.member,
      identity: this.identity,
      sendPair: (to, body) => this.sendPair(to, body),
      sealVouch: (seal) => (this.toCustomer && this.link?.verifiedBy === 'sas' ? (this.push(seal(this.toCustomer)), true) : false),
      canVouch: () => this.link?.verifiedBy === 'sas',
      nameOf: (member) => deps.participants().find((p) => p.member === member)?.name ?? `#${member}`,
      onChange: (vouches) => this.update((v) => ({ ...v, vouches })),
      report: deps.report,
    });
  }

  /** Commits to the customer's tab: the first pairing message. */
  start(): void {
    void this.identity
      .then(async (identity) => {
        if (this.disposed || this.pairing) return;
        this.pairing = new AgentPairing({ sessionId: this.deps.sessionId, member: this.deps.member, identity });
        this.sendPair(E2EE_CUSTOMER, (await this.pairing.start()).send);
      })
      .catch(this.deps.report);
  }

  /** A binary frame from the relay; handled in order. */
  receive(frame: Uint8Array): void {
    this.inbound = this.inbound.then(() => this.handle(frame)).catch(this.deps.report);
  }

  /** Seals a chat message under the group key; false when this console holds no key yet. */
  sendChat(clientId: string, text: string): boolean {
    if (!this.group) return false;
    this.push(this.group.seal('chat', encodeAppBody('chat', { clientId, text })));
    const { self } = this.deps;
    this.deps.chat({ seq: ++this.chatSeq, id: `e2ee-own-${clientId}`, clientId, from: { participantId: self.id, name: self.name, role: 'agent' }, text, at: Date.now() });
    return true;
  }

  /** Seals a control action under this agent's pairwise key (the customer's tab re-checks the grant). */
  sendAction(actionId: number, action: ControlAction): boolean {
    if (!this.toCustomer) return false;
    this.push(this.toCustomer.seal('ctl', encodeAppBody('ctl', { actionId, action })));
    return true;
  }

  /** True for the same session and member number (a rejoin that keeps this agent's seat). */
  matches(sessionId: string, member: number): boolean {
    return !this.disposed && this.deps.sessionId === sessionId && this.deps.member === member;
  }

  participantLeft(participant: Participant | undefined): void {
    if (participant?.member !== undefined) this.vouching.forget(participant.member);
  }

  dispose(): void {
    this.disposed = true;
    this.group = null;
    this.toCustomer = null;
    this.link = null;
    this.keyring.forgetEpochsBefore(0xffffffff);
  }

  private async handle(frame: Uint8Array): Promise<void> {
    const header = decodeE2eeHeader(frame);
    if (!header || this.disposed) return;
    this.lastEpoch = Math.max(this.lastEpoch, header.epoch);
    if (header.type === 'pair') {
      const pair = decodePairFrame(frame);
      if (!pair || header.to !== this.deps.member) return;
      if (header.sender === E2EE_CUSTOMER) await this.onCustomerPair(pair.body);
      else await this.vouching.receive(header.sender, pair.body);
      return;
    }
    const opened = await this.keyring.open(frame, { inflate: false });
    if (!opened.ok) {
      if (header.type === 'dom_keyframe' || header.type === 'dom_delta') this.update((v) => ({ ...v, unopened: v.unopened + 1 }));
      return;
    }
    switch (header.type) {
      case 'key':
        return this.onKey(opened);
      case 'dom_keyframe':
      case 'dom_delta':
        this.update((v) => ({ ...v, opened: v.opened + 1 }));
        return this.deps.domFrame(opened.plaintext);
      case 'chat':
        return this.onChat(header, opened.plaintext);
      case 'ctl_result': {
        const body = decodeAppBody('ctl_result', opened.plaintext);
        if (body) this.deps.controlResult(body.ok, body.failure, body.message);
        return;
      }
      default:
        return;
    }
  }

  private async onCustomerPair(body: PairBody): Promise<void> {
    const pairing = this.pairing;
    if (!pairing) return;
    const step = await pairing.receive(body);
    this.sendPair(E2EE_CUSTOMER, step.send);
    if (pairing.state === 'revealed') this.update((v) => ({ ...v, status: 'code', code: pairing.sas }));
    else if (pairing.state === 'failed') this.update((v) => ({ ...v, status: 'failed', code: null, failure: pairing.failure }));
    else if (pairing.state === 'verified') {
      const link = pairing.link();
      if (!link || !this.keyring.addLink(link, 'agent')) return;
      this.link = link;
      this.update((v) => ({ ...v, status: 'verified', verifiedBy: 'sas' }));
    }
  }

  /**
   * A verified vouch ends this agent's pairing with the customer in `confirm` like a compared
   * code; the customer's tab tells which in its own state, the console only sees `verified`.
   */
  private async onKey(opened: Parameters<typeof readEpochKey>[0]): Promise<void> {
    const epoch = readEpochKey(opened);
    const link = this.link;
    if (!epoch || !link || !(await this.keyring.addEpoch(epoch, this.deps.sessionId))) return;
    // The customer's new epoch: older ones are of no use any more (frames arrive in order).
    this.keyring.forgetEpochsBefore(epoch.epoch);
    this.group = await createGroupSender(epoch, this.deps.sessionId, this.deps.member);
    this.toCustomer = await createPairwiseSender(link, epoch.epoch, 'agent');
    this.update((v) => ({ ...v, epoch: epoch.epoch }));
  }

  private onChat(header: E2eeHeader, plaintext: Uint8Array): void {
    const body = decodeAppBody('chat', plaintext);
    if (!body) return;
    const from = this.deps.participants().find((p) => p.member === header.sender);
    if (!from) return;
    const role = from.role === 'host' ? 'host' : 'agent';
    this.deps.chat({ seq: ++this.chatSeq, id: `e2ee-${header.sender}-${header.epoch}-${header.seq}`, clientId: body.clientId, from: { participantId: from.id, name: from.name, role }, text: body.text, at: Date.now() });
  }

  private sendPair(to: number, body: PairBody | null): void {
    if (!body || this.disposed) return;
    const seq = this.pairSeqs.get(to) ?? 0;
    this.pairSeqs.set(to, seq + 1);
    this.push(Promise.resolve(encodePairFrame({ epoch: this.lastEpoch, sender: this.deps.member, to, seq }, body)));
  }

  /** Frames leave in the order they were sealed (the relay refuses a seq that goes back). */
  private push(frame: Promise<Uint8Array>): void {
    frame.catch(() => undefined);
    this.outbound = this.outbound
      .then(() => frame)
      .then((f) => {
        if (!this.disposed) this.deps.sendFrame(f);
      }, this.deps.report);
  }
}
