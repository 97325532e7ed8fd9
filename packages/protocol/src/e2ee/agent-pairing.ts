/**
 * The agent's side of pairing with the customer's tab (docs/E2EE.md, "Pairing"), as a state
 * machine with no I/O. It never throws.
 *
 *   idle ──start()──▶ committed ──offer──▶ revealed ──confirm (tag checks)──▶ verified
 *        (sends H(pkA||nA))       (sends pkA, nA; SAS shown)
 *                                         └──abort / bad tag / anything else──▶ failed
 *
 * The agent reads `sas` aloud on the call. It becomes `verified` only when the customer's confirm
 * tag checks out, which only the holder of the customer's private key could compute after the
 * customer tapped "match"; a relay cannot forge it.
 *
 * @example
 *   const identity = await createPairingIdentity(); // reuse it when a supervisor vouches for you
 *   const pairing = new AgentPairing({ sessionId, member: 3, identity });
 *   send(await pairing.start());
 */
import { equalBytes, randomBytes, type Bytes } from './bytes.ts';
import { E2EE_CUSTOMER } from './envelope-header.ts';
import { isAgentMember } from './key-scope.ts';
import { makeAbortBody, makeCommitBody, makeRevealBody, parsePairBody, readPairBytes, type PairingFailure, type PairingStep } from './pair-body.ts';
import {
  PAIRING_NONCE_BYTES,
  computeCommitment,
  computeTranscriptHash,
  derivePairingSecrets,
  importPeerPublicKey,
  type PairingIdentity,
  type PairingParties,
  type PairingSecrets,
} from './pairing-crypto.ts';
import type { PairwiseLink } from './pairwise.ts';

export type AgentPairingState = 'idle' | 'committed' | 'revealed' | 'verified' | 'failed';

export interface AgentPairingOptions {
  sessionId: string;
  /** This agent's member number, as the relay assigned it. */
  member: number;
  /** The agent's key pair; the same one for every pairing a voucher should be able to vouch for. */
  identity: PairingIdentity;
  /** The member answering: 0 (the customer's tab), or a verified agent who will vouch. */
  peer?: number;
}

export class AgentPairing {
  #state: AgentPairingState = 'idle';
  #failure: PairingFailure | null = null;
  #nonce: Bytes | null = null;
  #commitment: Bytes | null = null;
  #secrets: PairingSecrets | null = null;
  #busy = false;
  readonly parties: Readonly<PairingParties>;
  readonly identity: PairingIdentity;

  constructor(options: AgentPairingOptions) {
    this.parties = Object.freeze({ sessionId: options.sessionId, responder: options.peer ?? E2EE_CUSTOMER, initiator: options.member });
    this.identity = options.identity;
  }

  get state(): AgentPairingState {
    return this.#state;
  }
  get failure(): PairingFailure | null {
    return this.#failure;
  }
  get sas(): string | null {
    return this.#state === 'revealed' || this.#state === 'verified' ? (this.#secrets?.sas ?? null) : null;
  }

  link(): PairwiseLink | null {
    const secrets = this.#secrets;
    if (this.#state !== 'verified' || !secrets) return null;
    const { sessionId, responder, initiator } = this.parties;
    return Object.freeze({ sessionId, customer: responder, agent: initiator, root: secrets.root, agentFingerprint: this.identity.fingerprint, verifiedBy: 'sas' as const });
  }

  /** Commits to this agent's key with a fresh nonce: the first message. */
  async start(): Promise<PairingStep> {
    if (this.#state !== 'idle') return { send: null };
    if (!isAgentMember(this.parties.initiator) || this.parties.initiator === this.parties.responder) return this.#fail('unexpected_message');
    try {
      this.#nonce = randomBytes(PAIRING_NONCE_BYTES);
      this.#commitment = await computeCommitment(this.parties, this.identity.publicKey, this.#nonce);
      this.#state = 'committed';
      return { send: makeCommitBody(this.#commitment) };
    } catch {
      return this.#fail('bad_key');
    }
  }

  async receive(value: unknown): Promise<PairingStep> {
    const body = parsePairBody(value);
    if (this.#busy || this.#state === 'failed' || this.#state === 'verified') return this.#fail('unexpected_message', false);
    if (!body) return this.#fail('unexpected_message');
    if (body.step === 'abort') return this.#fail(body.reason, false);
    this.#busy = true;
    try {
      if (this.#state === 'committed' && body.step === 'offer') return await this.#onOffer(readPairBytes(body.publicKey));
      if (this.#state === 'revealed' && body.step === 'confirm') return this.#onConfirm(readPairBytes(body.tag));
      return this.#fail('unexpected_message');
    } catch {
      return this.#fail('bad_key');
    } finally {
      this.#busy = false;
    }
  }

  async #onOffer(customerKey: Bytes): Promise<PairingStep> {
    const nonce = this.#nonce;
    const commitment = this.#commitment;
    if (!nonce || !commitment) return this.#fail('unexpected_message');
    const peer = await importPeerPublicKey(customerKey);
    if (!peer || equalBytes(customerKey, this.identity.publicKey)) return this.#fail('bad_key');
    const transcript = await computeTranscriptHash(this.parties, commitment, customerKey, this.identity.publicKey, nonce);
    this.#secrets = await derivePairingSecrets(this.identity.privateKey, peer, transcript);
    this.#state = 'revealed';
    return { send: makeRevealBody(this.identity.publicKey, nonce) };
  }

  #onConfirm(tag: Bytes): PairingStep {
    if (!this.#secrets || !equalBytes(tag, this.#secrets.confirmTag)) return this.#fail('bad_confirmation');
    this.#state = 'verified';
    return { send: null };
  }

  #fail(reason: PairingFailure, tell = true): PairingStep {
    if (this.#state === 'verified') return { send: null };
    const first = this.#state !== 'failed';
    this.#state = 'failed';
    this.#failure ??= reason;
    this.#secrets = null;
    return { send: tell && first ? makeAbortBody(reason) : null };
  }
}
