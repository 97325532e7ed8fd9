/**
 * The tenant's recording key pair (docs/E2EE.md, "Recordings"): generated in an admin's browser,
 * the private key saved by the admin as a file and never sent to the server, the public key
 * registered (PUT /api/settings/recording-key). The console's player reads the file to replay an
 * encrypted recording; the private key is imported non-extractable and kept in memory only.
 *
 * The file is JSON:
 *   { "type": "samepage-recording-key", "version": 1, "curve": "P-256",
 *     "publicKey": "<base64url of the 65-byte point>", "privateKey": { JWK: kty, crv, x, y, d },
 *     "createdAt": "2025-01-01T00:00:00.000Z" }
 */
import { fromBase64Url, requireSubtle, toBase64Url } from './bytes.ts';
import { RECORDING_PUBLIC_KEY_BYTES } from './recording-wrap.ts';

export const RECORDING_KEY_FILE_TYPE = 'samepage-recording-key';
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

export interface RecordingKeyPair {
  /** base64url of the uncompressed point, as the server takes it. */
  publicKey: string;
  /** The file's text: keep it safe, it opens every recording wrapped to `publicKey`. */
  file: string;
}

export interface LoadedRecordingKey {
  publicKey: string;
  /** Non-extractable: it can unwrap, never be read back. */
  privateKey: CryptoKey;
}

/** A fresh key pair and the file that holds it. */
export async function generateRecordingKeyPair(now = new Date()): Promise<RecordingKeyPair> {
  const subtle = requireSubtle();
  const pair = (await subtle.generateKey(ECDH, true, ['deriveBits'])) as CryptoKeyPair;
  const publicKey = toBase64Url(new Uint8Array(await subtle.exportKey('raw', pair.publicKey)));
  const { kty, crv, x, y, d } = await subtle.exportKey('jwk', pair.privateKey);
  const file = JSON.stringify({ type: RECORDING_KEY_FILE_TYPE, version: 1, curve: 'P-256', publicKey, privateKey: { kty, crv, x, y, d }, createdAt: now.toISOString() }, null, 2);
  return { publicKey, file };
}

/**
 * Reads a key file; null when it is not one, or when its private key does not belong to its
 * public key. Never throws.
 */
export async function readRecordingKeyFile(text: string): Promise<LoadedRecordingKey | null> {
  try {
    const parsed = JSON.parse(text) as { type?: unknown; publicKey?: unknown; privateKey?: JsonWebKey };
    if (parsed?.type !== RECORDING_KEY_FILE_TYPE || typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'object') return null;
    const { kty, crv, x, y, d } = parsed.privateKey;
    if (kty !== 'EC' || crv !== 'P-256' || !x || !y || !d) return null;
    const raw = fromBase64Url(parsed.publicKey);
    if (!raw || raw.byteLength !== RECORDING_PUBLIC_KEY_BYTES || raw[0] !== 0x04) return null;
    // The JWK's own public point must be the file's public key.
    if (toBase64Url(raw.subarray(1, 33)) !== x || toBase64Url(raw.subarray(33)) !== y) return null;
    const privateKey = await requireSubtle().importKey('jwk', { kty, crv, x, y, d, ext: false, key_ops: ['deriveBits'] }, ECDH, false, ['deriveBits']);
    return { publicKey: parsed.publicKey, privateKey };
  } catch {
    return null;
  }
}
