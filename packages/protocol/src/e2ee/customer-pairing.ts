/**
 * The customer's side of pairing with one agent (docs/E2EE.md, "Pairing"), as a state machine
 * with no I/O: feed it the agent's `pair` bodies, send what it returns, show `sas` and call
 * `confirm(match)` with the customer's answer. It never throws.
 *
 *   idle ──commit──▶ committed ──reveal──▶ awaiting_confirmation ──confirm(true)──▶ verified
 *                    (sends offer: pkC)    (commitment checked,       (sends confirm tag)
 *                                           SAS shown)      └─confirm(false)/abort──▶ failed
 *
 * The customer's key pair is made fresh after the commitment arrived, so a relay in the middle
 * must commit to its own key before it sees pkC and cannot steer the code. `link()` returns the
 * pairwise link only in `verified`: no pairwise key, and so no epoch key, exists for this agent
 * before the customer confirmed. A vouching agent can verify the pairing instead (vouch.ts).
 *
 * @example
 *   const pairing = new CustomerPairing({ sessionId, agent: 3 });
 *   const { send } = await pairing.receive(commitBody); // send the offer
 *   await pairing.receive(revealBody); // now pairing.sas is shown to the customer
 *   const done = await pairing.confirm(customerSaidMatch);
 */
import { equalBytes, type Bytes } from './bytes.ts';
import { E2EE_CUSTOMER } from './envelope-header.ts';
import { isAgentMember } from './key-scope.ts';
import { makeAbortBody, makeConfirmBody, makeOfferBody, parsePairBody, readPairBytes, type PairingFailure, type PairingStep } from './pair-body.ts';
import {
  computeCommitment,
  computeTranscriptHash,
  createPairingIdentity,
  derivePairingSecrets,
  fingerprintPublicKey,
  importPeerPublicKey,
  type PairingIdentity,
  type PairingParties,
  type PairingSecrets,
} from './pairing-crypto.ts';
import type { PairwiseLink } from './pairwise.ts';

export type CustomerPairingState = 'idle' | 'committed' | 'awaiting_confirmation' | 'verified' | 'failed';

export interface CustomerPairingOptions {
  sessionId: string;
  /** The agent's member number as the relay's header says. */
  agent: number;
  /** The answering member: 0 (the customer's tab), or a vouching agent checking a newcomer. */
  self?: number;
}

export class CustomerPairing {
  #state: CustomerPairingState = 'idle';
  #failure: PairingFailure | null = null;
  #commitment: Bytes | null = null;
  #identity: PairingIdentity | null = null;
  #secrets: PairingSecrets | null = null;
  #agentFingerprint: Bytes | null = null;
  #link: PairwiseLink | null = null;
  #busy = false;
  readonly parties: Readonly<PairingParties>;

  constructor(options: CustomerPairingOptions) {
    this.parties = Object.freeze({ sessionId: options.sessionId, responder: options.self ?? E2EE_CUSTOMER, initiator: options.agent });
  }

  get state(): CustomerPairingState {
    return this.#state;
  }
  get failure(): PairingFailure | null {
    return this.#failure;
  }
  /** The 6 digits to show, from `awaiting_confirmation` on. */
  get sas(): string | null {
    return this.#state === 'awaiting_confirmation' || this.#state === 'verified' ? (this.#secrets?.sas ?? null) : null;
  }
  /** The agent's key fingerprint once revealed and checked against the commitment. */
  get agentFingerprint(): Bytes | null {
    return this.#agentFingerprint;
  }

  /** The verified pairing, or null in any other state. */
  link(): PairwiseLink | null {
    return this.#state === 'verified' ? this.#link : null;
  }

  /** Handles one body from the agent (a parsed JSON value; it is validated here). */
  async receive(value: unknown): Promise<PairingStep> {
    const body = parsePairBody(value);
    if (this.#busy || this.#state === 'failed' || this.#state === 'verified') return this.#fail('unexpected_message', false);
    if (!body) return this.#fail('unexpected_message');
    if (body.step === 'abort') return this.#fail(body.reason, false);
    this.#busy = true;
    try {
      if (this.#state === 'idle' && body.step === 'commit') return await this.#onCommit(readPairBytes(body.commitment));
      if (this.#state === 'committed' && body.step === 'reveal') return await this.#onReveal(readPairBytes(body.publicKey), readPairBytes(body.nonce));
      return this.#fail('unexpected_message');
    } catch {
      return this.#fail('bad_key');
    } finally {
      this.#busy = false;
    }
  }

  /** The customer's answer to "do both screens show the same code?". */
  async confirm(match: boolean): Promise<PairingStep> {
    if (this.#state !== 'awaiting_confirmation') return { send: null };
    if (!match) return this.#fail('sas_mismatch');
    return this.#verify('sas');
  }

  /** Verifies without comparing codes, because a verified agent vouched for this key (see vouch.ts). */
  acceptVouchedFingerprint(fingerprint: Uint8Array, voucher: number): PairingStep | null {
    if (this.#state !== 'awaiting_confirmation' || !this.#agentFingerprint || !equalBytes(fingerprint, this.#agentFingerprint)) return null;
    if (voucher === this.parties.initiator) return null;
    return this.#verify('vouch', voucher);
  }

  /** Gives up, e.g. when the customer closes the prompt. */
  cancel(): PairingStep {
    return this.#state === 'verified' || this.#state === 'failed' ? { send: null } : this.#fail('declined');
  }

  async #onCommit(commitment: Bytes): Promise<PairingStep> {
    if (!isAgentMember(this.parties.initiator) || this.parties.initiator === this.parties.responder) return this.#fail('unexpected_message');
    this.#commitment = commitment;
    this.#identity = await createPairingIdentity();
    this.#state = 'committed';
    return { send: makeOfferBody(this.#identity.publicKey) };
  }

  async #onReveal(agentKey: Bytes, nonce: Bytes): Promise<PairingStep> {
    const commitment = this.#commitment;
    const identity = this.#identity;
    if (!commitment || !identity) return this.#fail('unexpected_message');
    const expected = await computeCommitment(this.parties, agentKey, nonce);
    if (!equalBytes(expected, commitment)) return this.#fail('bad_commitment');
    const peer = await importPeerPublicKey(agentKey);
    if (!peer || equalBytes(agentKey, identity.publicKey)) return this.#fail('bad_key');
    const transcript = await computeTranscriptHash(this.parties, commitment, identity.publicKey, agentKey, nonce);
    this.#secrets = await derivePairingSecrets(identity.privateKey, peer, transcript);
    this.#agentFingerprint = await fingerprintPublicKey(agentKey);
    this.#state = 'awaiting_confirmation';
    return { send: null };
  }

  #verify(verifiedBy: 'sas' | 'vouch', voucher?: number): PairingStep {
    const secrets = this.#secrets;
    const fingerprint = this.#agentFingerprint;
    if (!secrets || !fingerprint) return this.#fail('unexpected_message');
    const { sessionId, responder, initiator } = this.parties;
    this.#link = Object.freeze({ sessionId, customer: responder, agent: initiator, root: secrets.root, agentFingerprint: fingerprint, verifiedBy, ...(voucher === undefined ? {} : { voucher }) });
    this.#state = 'verified';
    return { send: makeConfirmBody(secrets.confirmTag) };
  }

  #fail(reason: PairingFailure, tell = true): PairingStep {
    if (this.#state === 'verified') return { send: null };
    const first = this.#state !== 'failed';
    this.#state = 'failed';
    this.#failure ??= reason;
    // Nothing derived survives a failure.
    this.#secrets = null;
    this.#identity = null;
    this.#link = null;
    return { send: tell && first ? makeAbortBody(reason) : null };
  }
}
