/**
 * Encrypted recordings (docs/E2EE.md, "Recordings"): the customer's tab wraps each epoch secret
 * E_n to the tenant's recording public key, so the tenant (and nobody else, not the server) can
 * replay a recording later. An ECIES construction on WebCrypto only, in the style of HPKE base
 * mode (RFC 9180) with DHKEM(P-256) and AES-256-GCM:
 *
 *   (skE, pkE)  = a fresh P-256 key pair for every wrap
 *   dh          = ECDH(skE, pkR)                            (32 bytes, the x coordinate)
 *   context     = "samepage e2ee v1 recording wrap" || 0x00 || u16 len || session id || u32 epoch || u16 0
 *   key ‖ nonce = HKDF-SHA-256(ikm = dh, salt = pkE || pkR, info = context, 44 bytes)   (32 + 12)
 *   ct          = AES-256-GCM(key, nonce, E_n, aad = 0x01 || pkE || context)          (32 + 16 bytes)
 *   wrapped     = 0x01 || pkE (65 bytes, uncompressed) || ct                         (114 bytes)
 *
 * Each wrap has its own ephemeral key, so a (key, nonce) pair is never used twice. The session id
 * and the epoch number are bound into both the key and the AAD, so the server cannot move a
 * wrapped key to another epoch or another recording. Unwrapping needs the recipient's private key.
 *
 * @example
 *   const wrapped = await wrapEpochSecret(recordingPublicKey, sessionId, epoch.epoch, epoch.secret);
 *   const secret = await unwrapEpochSecret(privateKey, sessionId, epoch.epoch, wrapped); // Bytes | null
 */
import { concatBytes, copyBytes, fromBase64Url, requireSubtle, toBase64Url, type Bytes } from './bytes.ts';
import { KEY_BYTES, deriveHkdfBytes, encodeKdfInfo } from './kdf.ts';

export const RECORDING_WRAP_VERSION = 1;
export const RECORDING_PUBLIC_KEY_BYTES = 65;
/** version + pkE + E_n + GCM tag. */
export const RECORDING_WRAP_BYTES = 1 + RECORDING_PUBLIC_KEY_BYTES + KEY_BYTES + 16;
const NONCE_BYTES = 12;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** The info bytes of one wrap: they name the purpose and bind the session and the epoch. */
export function recordingWrapContext(sessionId: string, epoch: number): Bytes {
  return encodeKdfInfo('recording wrap', sessionId, epoch, 0);
}

/** Reads a recording public key as the server publishes it (base64url of the 65-byte point). */
function readPublicKey(key: string | Uint8Array): Bytes | null {
  const raw = typeof key === 'string' ? fromBase64Url(key.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')) : copyBytes(key);
  return raw && raw.byteLength === RECORDING_PUBLIC_KEY_BYTES && raw[0] === 0x04 ? raw : null;
}

async function deriveWrapKey(dh: Bytes, pkE: Bytes, pkR: Bytes, context: Bytes): Promise<{ key: CryptoKey; nonce: Bytes }> {
  const okm = await deriveHkdfBytes(dh, concatBytes(pkE, pkR), context, KEY_BYTES + NONCE_BYTES);
  const key = await requireSubtle().importKey('raw', okm.slice(0, KEY_BYTES), { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const nonce = okm.slice(KEY_BYTES);
  okm.fill(0);
  return { key, nonce };
}

/**
 * Wraps an epoch secret to the tenant's recording public key; returns the base64url text the
 * `e2ee_recording_key` message carries. Throws when the public key is not a P-256 point.
 */
export async function wrapEpochSecret(recordingPublicKey: string | Uint8Array, sessionId: string, epoch: number, secret: Uint8Array): Promise<string> {
  const pkR = readPublicKey(recordingPublicKey);
  if (!pkR) throw new RangeError('the recording public key is not an uncompressed P-256 point');
  if (secret.byteLength !== KEY_BYTES) throw new RangeError('an epoch secret is 32 bytes');
  const subtle = requireSubtle();
  const recipient = await subtle.importKey('raw', pkR, ECDH, false, []);
  const ephemeral = (await subtle.generateKey(ECDH, true, ['deriveBits'])) as CryptoKeyPair;
  const pkE = new Uint8Array(await subtle.exportKey('raw', ephemeral.publicKey));
  const dh = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: recipient }, ephemeral.privateKey, 256));
  const context = recordingWrapContext(sessionId, epoch);
  const { key, nonce } = await deriveWrapKey(dh, pkE, pkR, context);
  dh.fill(0);
  const aad = concatBytes(new Uint8Array([RECORDING_WRAP_VERSION]), pkE, context);
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, key, copyBytes(secret)));
  return toBase64Url(concatBytes(new Uint8Array([RECORDING_WRAP_VERSION]), pkE, ct));
}

/**
 * Opens a wrapped epoch secret with the tenant's private key (`publicKey` is its public half, the
 * raw 65 bytes or base64url). Null when it does not open: another key, another session or epoch,
 * or any changed byte. Never throws.
 */
export async function unwrapEpochSecret(privateKey: CryptoKey, publicKey: string | Uint8Array, sessionId: string, epoch: number, wrapped: string): Promise<Bytes | null> {
  try {
    const pkR = readPublicKey(publicKey);
    const bytes = fromBase64Url(wrapped.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    if (!pkR || !bytes || bytes.byteLength !== RECORDING_WRAP_BYTES || bytes[0] !== RECORDING_WRAP_VERSION) return null;
    const subtle = requireSubtle();
    const pkE = bytes.slice(1, 1 + RECORDING_PUBLIC_KEY_BYTES);
    const ephemeral = await subtle.importKey('raw', pkE, ECDH, false, []);
    const dh = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: ephemeral }, privateKey, 256));
    const context = recordingWrapContext(sessionId, epoch);
    const { key, nonce } = await deriveWrapKey(dh, pkE, pkR, context);
    dh.fill(0);
    const aad = concatBytes(new Uint8Array([RECORDING_WRAP_VERSION]), pkE, context);
    const secret = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad, tagLength: 128 }, key, bytes.slice(1 + RECORDING_PUBLIC_KEY_BYTES)));
    return secret.byteLength === KEY_BYTES ? secret : null;
  } catch {
    return null;
  }
}
