/**
 * Seal and open one envelope (docs/E2EE.md, "Envelope"): the 20-byte cleartext header, then the
 * body = AES-256-GCM(key, nonce = salt XOR seq, plaintext, AAD = header bytes || UTF-8 session id).
 * The plaintext is deflated first when FLAG_E2EE_DEFLATE is set.
 *
 * These are the primitives. Use a FrameSender (frame-sender.ts) to seal, because it owns the
 * sequence counter that makes nonce reuse impossible, and a FrameOpener (frame-opener.ts) to open,
 * because it checks the header against the key and keeps the replay window.
 */
import { concatBytes, copyBytes, encodeUtf8, requireSubtle, type Bytes } from './bytes.ts';
import { deflateBody, inflateBounded } from './compress.ts';
import {
  E2EE_HEADER_BYTES,
  FLAG_E2EE_DEFLATE,
  FLAG_E2EE_ENCRYPTED,
  decodeE2eeHeader,
  encodeE2eeHeader,
  type E2eeHeader,
} from './envelope-header.ts';
import { SALT_BYTES } from './kdf.ts';

export const TAG_BYTES = 16;
export const MAX_SEQ = 0xffffffff;
/** Largest plaintext an opener inflates to by default (a very large page's keyframe). */
export const DEFAULT_MAX_PLAINTEXT_BYTES = 64 * 1024 * 1024;

/** Why a frame was refused. The relay and the UI see only this word, never key material. */
export type OpenFailure =
  | 'malformed'
  | 'not_encrypted'
  | 'unknown_key'
  | 'header_mismatch'
  | 'sender_not_allowed'
  | 'replayed'
  | 'auth_failed'
  | 'inflate_failed';

export type OpenResult = { ok: true; header: E2eeHeader; plaintext: Bytes } | { ok: false; reason: OpenFailure; header?: E2eeHeader };

/** Header fields the sealer chooses; flags and len follow from the body. */
export type EnvelopeFields = Omit<E2eeHeader, 'flags' | 'len'>;

export interface SealOptions {
  /** Deflate the plaintext before encrypting it (FLAG_E2EE_DEFLATE). */
  deflate?: boolean;
  /** Preset dictionary for deflate (the DOM stream's delta window); the receiver passes the same one. */
  dictionary?: Uint8Array;
  /** The plaintext is deflate-raw already (the SDK's keyframe and delta compressors): set the flag, do not compress again. */
  alreadyDeflated?: boolean;
}

export interface OpenOptions {
  dictionary?: Uint8Array;
  /** false: return a deflated body as it is, for a caller that inflates itself (DomStreamInflater). */
  inflate?: boolean;
  maxPlaintextBytes?: number;
}

/** The 96-bit nonce: the 12-byte salt XOR the sequence number as a big-endian 96-bit integer. */
export function computeNonce(salt: Uint8Array, seq: number): Bytes {
  if (salt.byteLength !== SALT_BYTES) throw new Error('salt must be 12 bytes');
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_SEQ) throw new Error('seq must be a u32');
  const nonce = copyBytes(salt);
  const view = new DataView(nonce.buffer);
  view.setUint32(8, view.getUint32(8) ^ seq);
  return nonce;
}

/** The additional authenticated data: the header as sent, then the session id. */
export function encodeAad(headerBytes: Uint8Array, sessionId: string): Bytes {
  return concatBytes(headerBytes, encodeUtf8(sessionId));
}

/** Seals one frame. Callers other than FrameSender must never pass the same (key, seq) twice. */
export async function sealEnvelope(key: CryptoKey, salt: Uint8Array, sessionId: string, fields: EnvelopeFields, plaintext: Uint8Array, options: SealOptions = {}): Promise<Bytes> {
  const deflate = options.deflate === true || options.alreadyDeflated === true;
  const body = options.deflate === true && !options.alreadyDeflated ? await deflateBody(plaintext, options.dictionary) : copyBytes(plaintext);
  const header = encodeE2eeHeader({ ...fields, flags: FLAG_E2EE_ENCRYPTED | (deflate ? FLAG_E2EE_DEFLATE : 0), len: body.byteLength + TAG_BYTES });
  const sealed = await requireSubtle().encrypt(
    { name: 'AES-GCM', iv: computeNonce(salt, fields.seq), additionalData: encodeAad(header, sessionId), tagLength: TAG_BYTES * 8 },
    key,
    body,
  );
  return concatBytes(header, new Uint8Array(sealed));
}

/**
 * Opens one frame under a key the caller chose from its header (the opener checks that match).
 * Authenticates before it inflates. Never throws.
 */
export async function openEnvelope(key: CryptoKey, salt: Uint8Array, sessionId: string, frame: Uint8Array, options: OpenOptions = {}): Promise<OpenResult> {
  const header = decodeE2eeHeader(frame);
  if (!header) return { ok: false, reason: 'malformed' };
  if ((header.flags & FLAG_E2EE_ENCRYPTED) === 0) return { ok: false, reason: 'not_encrypted', header };
  if (header.len < TAG_BYTES) return { ok: false, reason: 'malformed', header };
  let body: Bytes;
  try {
    const opened = await requireSubtle().decrypt(
      { name: 'AES-GCM', iv: computeNonce(salt, header.seq), additionalData: encodeAad(frame.subarray(0, E2EE_HEADER_BYTES), sessionId), tagLength: TAG_BYTES * 8 },
      key,
      frame.buffer instanceof ArrayBuffer ? (frame.subarray(E2EE_HEADER_BYTES) as Bytes) : copyBytes(frame.subarray(E2EE_HEADER_BYTES)),
    );
    body = new Uint8Array(opened);
  } catch {
    return { ok: false, reason: 'auth_failed', header };
  }
  if ((header.flags & FLAG_E2EE_DEFLATE) === 0 || options.inflate === false) return { ok: true, header, plaintext: body };
  const plaintext = inflateBounded(body, options.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT_BYTES, options.dictionary);
  return plaintext ? { ok: true, header, plaintext } : { ok: false, reason: 'inflate_failed', header };
}
