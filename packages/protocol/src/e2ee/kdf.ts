/**
 * The key schedule (docs/E2EE.md, "Key schedule"): every key is HKDF-SHA-256 output whose info
 * names its purpose and binds the session id, the epoch number and the sender's member number,
 * in the style of RFC 9605 (SFrame): one AES-256-GCM key and one 12-byte salt per sender.
 */
import { concatBytes, encodeLengthPrefixed, encodeU16, encodeU32, encodeUtf8, requireSubtle, type Bytes } from './bytes.ts';

export const KDF_LABEL = 'samepage e2ee v1 ';
export const KEY_BYTES = 32;
export const SALT_BYTES = 12;
const EMPTY = /* @__PURE__ */ new Uint8Array(0) as Bytes;

/** Which way a pairwise key works: customer to agent, or agent to customer. Never the same key both ways. */
export type PairwiseDirection = 'to_agent' | 'to_customer';

/** Raw per-sender material. Exposed for the known-answer vectors; senders keep only the imported key. */
export interface KeyMaterial {
  key: Bytes;
  salt: Bytes;
}

/** `label || 0x00 || u16 len || session id || u32 epoch || u16 sender`: no two contexts encode alike. */
export function encodeKdfInfo(purpose: string, sessionId: string, epoch: number, sender: number): Bytes {
  return concatBytes(encodeUtf8(KDF_LABEL + purpose), new Uint8Array(1), encodeLengthPrefixed(sessionId), encodeU32(epoch), encodeU16(sender));
}

/** HKDF-SHA-256 (RFC 5869) from raw input keying material or from an imported HKDF key. */
export async function deriveHkdfBytes(ikm: Bytes | CryptoKey, salt: Bytes, info: Bytes, length: number): Promise<Bytes> {
  const subtle = requireSubtle();
  const base = ikm instanceof Uint8Array ? await importHkdfKey(ikm) : ikm;
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, base, length * 8);
  return new Uint8Array(bits);
}

/** Imports secret bytes as a non-extractable HKDF base key (it can derive, never be read back). */
export function importHkdfKey(secret: Bytes): Promise<CryptoKey> {
  return requireSubtle().importKey('raw', secret, 'HKDF', false, ['deriveBits']);
}

/** Imports a 32-byte AES-256-GCM key, non-extractable. */
export function importAesKey(raw: Bytes): Promise<CryptoKey> {
  return requireSubtle().importKey('raw', raw, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

async function deriveMaterial(ikm: Bytes | CryptoKey, purpose: string, sessionId: string, epoch: number, sender: number): Promise<KeyMaterial> {
  const base = ikm instanceof Uint8Array ? await importHkdfKey(ikm) : ikm;
  const [key, salt] = await Promise.all([
    deriveHkdfBytes(base, EMPTY, encodeKdfInfo(`${purpose} key`, sessionId, epoch, sender), KEY_BYTES),
    deriveHkdfBytes(base, EMPTY, encodeKdfInfo(`${purpose} salt`, sessionId, epoch, sender), SALT_BYTES),
  ]);
  return { key, salt };
}

/** The group key and salt of one sender in one epoch, from the epoch secret E_n. */
export function deriveGroupMaterial(epochSecret: Bytes | CryptoKey, sessionId: string, epoch: number, sender: number): Promise<KeyMaterial> {
  return deriveMaterial(epochSecret, 'group', sessionId, epoch, sender);
}

/** A pairwise key and salt for one direction and one epoch, from the pairing's root key. */
export function derivePairwiseMaterial(root: CryptoKey, direction: PairwiseDirection, sessionId: string, epoch: number, sender: number): Promise<KeyMaterial> {
  return deriveMaterial(root, `pairwise ${direction}`, sessionId, epoch, sender);
}

/** E_{n+1} after a join: HKDF(E_n, "join"), bound to the session and the new epoch number. */
export function deriveJoinSecret(epochSecret: Bytes, sessionId: string, nextEpoch: number): Promise<Bytes> {
  return deriveHkdfBytes(epochSecret, EMPTY, encodeKdfInfo('join', sessionId, nextEpoch, 0), KEY_BYTES);
}
