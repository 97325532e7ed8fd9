/**
 * The only way to seal frames: one FrameSender per key, owning that key's sequence counter.
 *
 * Why (key, nonce) never repeats: the nonce is salt XOR seq, and the key and salt are derived
 * for exactly one (session, epoch, sender, recipient, direction). A FrameSender is created once
 * per key in memory, never persisted; it hands out seq 0, 1, 2, ... and refuses to seal once
 * 2^32 - 1 has been used instead of wrapping around. A new page load, a reconnect or a rekey
 * always means a new epoch with a new secret (docs/E2EE.md, "Why nonces never repeat").
 *
 * @example
 *   const sender = await createFrameSender(material, { sessionId, epoch: 7, sender: 0, to: E2EE_TO_GROUP });
 *   const frame = await sender.seal('dom_keyframe', bytes, { deflate: true });
 */
import type { Bytes } from './bytes.ts';
import type { E2eeType } from './envelope-header.ts';
import { MAX_SEQ, sealEnvelope, type SealOptions } from './envelope.ts';
import { importAesKey, type KeyMaterial } from './kdf.ts';
import { describeScope, isTypeAllowed, isValidEpoch, type KeyScope } from './key-scope.ts';

export type SealFailure = 'exhausted' | 'type_not_allowed';

export class E2eeSealError extends Error {
  constructor(
    readonly reason: SealFailure,
    message: string,
  ) {
    super(message);
    this.name = 'E2eeSealError';
  }
}

export class FrameSender {
  #nextSeq = 0;
  readonly scope: Readonly<KeyScope>;

  constructor(
    private readonly key: CryptoKey,
    private readonly salt: Bytes,
    scope: KeyScope,
    firstSeq = 0,
  ) {
    this.scope = Object.freeze({ ...scope });
    this.#nextSeq = firstSeq;
  }

  /** The seq the next frame will carry, or null once the key is used up. */
  get nextSeq(): number | null {
    return this.#nextSeq > MAX_SEQ ? null : this.#nextSeq;
  }

  /**
   * Seals `plaintext` as a frame of `type`. The seq is taken before any await, so concurrent
   * calls never share one. Throws E2eeSealError when the type may not use this key or the
   * counter is used up (the caller starts a new epoch).
   */
  async seal(type: E2eeType, plaintext: Uint8Array, options: SealOptions = {}): Promise<Bytes> {
    if (!isTypeAllowed(this.scope, type)) throw new E2eeSealError('type_not_allowed', `${type} may not be sealed under the key of ${describeScope(this.scope)}`);
    if (this.#nextSeq > MAX_SEQ) throw new E2eeSealError('exhausted', `the key of ${describeScope(this.scope)} has sealed 2^32 frames: start a new epoch`);
    const seq = this.#nextSeq++;
    const { epoch, sender, to } = this.scope;
    return sealEnvelope(this.key, this.salt, this.scope.sessionId, { type, epoch, sender, to, seq }, plaintext, options);
  }
}

/** Imports the material as a non-extractable key and returns the sender that owns it. */
export async function createFrameSender(material: KeyMaterial, scope: KeyScope, firstSeq = 0): Promise<FrameSender> {
  if (!isValidEpoch(scope.epoch)) throw new Error(`invalid epoch ${scope.epoch}`);
  // firstSeq > 0 only in tests that prove the counter refuses to wrap around.
  return new FrameSender(await importAesKey(material.key), material.salt, scope, firstSeq);
}
