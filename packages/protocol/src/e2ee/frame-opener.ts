/**
 * Opens the frames of one key: checks the header against the key's scope (epoch, sender,
 * recipient, a type allowed on this kind of key and from this sender), refuses any seq that is
 * not greater than the last one accepted (a replay, a reorder or a reused nonce), authenticates,
 * and only then moves the replay window. Opens run one at a time, in call order, so two copies
 * of one frame can never both pass. Never throws.
 *
 * @example
 *   const opener = await createFrameOpener(material, { sessionId, epoch: 7, sender: 0, to: E2EE_TO_GROUP });
 *   const result = await opener.open(frame);
 *   if (result.ok) render(result.plaintext); else report(result.reason);
 */
import { decodeE2eeHeader, type E2eeHeader } from './envelope-header.ts';
import { openEnvelope, type OpenFailure, type OpenOptions, type OpenResult } from './envelope.ts';
import { importAesKey, type KeyMaterial } from './kdf.ts';
import { isTypeAllowed, type KeyScope } from './key-scope.ts';
import type { Bytes } from './bytes.ts';

/** Checks a decoded header against a scope before any decryption. */
export function checkHeaderScope(header: E2eeHeader, scope: KeyScope): OpenFailure | null {
  if (header.epoch !== scope.epoch || header.sender !== scope.sender || header.to !== scope.to) return 'header_mismatch';
  if (!isTypeAllowed(scope, header.type)) return 'sender_not_allowed';
  return null;
}

export class FrameOpener {
  /** The highest seq accepted so far; -1 before the first frame. */
  #highestSeq = -1;
  #queue: Promise<unknown> = Promise.resolve();
  readonly scope: Readonly<KeyScope>;

  constructor(
    private readonly key: CryptoKey,
    private readonly salt: Bytes,
    scope: KeyScope,
  ) {
    this.scope = Object.freeze({ ...scope });
  }

  get highestSeq(): number {
    return this.#highestSeq;
  }

  open(frame: Uint8Array, options: OpenOptions = {}): Promise<OpenResult> {
    const result = this.#queue.then(() => this.#openNow(frame, options));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #openNow(frame: Uint8Array, options: OpenOptions): Promise<OpenResult> {
    try {
      const header = decodeE2eeHeader(frame);
      if (!header) return { ok: false, reason: 'malformed' };
      const mismatch = checkHeaderScope(header, this.scope);
      if (mismatch) return { ok: false, reason: mismatch, header };
      // Checked before decrypting, and the window moves only after the tag verified:
      // a forged frame cannot push the window forward and lock out the real sender.
      if (header.seq <= this.#highestSeq) return { ok: false, reason: 'replayed', header };
      const result = await openEnvelope(this.key, this.salt, this.scope.sessionId, frame, options);
      if (result.ok) this.#highestSeq = result.header.seq;
      return result;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  }
}

export async function createFrameOpener(material: KeyMaterial, scope: KeyScope): Promise<FrameOpener> {
  return new FrameOpener(await importAesKey(material.key), material.salt, scope);
}
