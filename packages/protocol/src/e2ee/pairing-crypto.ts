/**
 * The cryptography of pairing (docs/E2EE.md, "Pairing"): P-256 ECDH with non-extractable
 * private keys, the agent's commitment H(pkA || nA), the transcript hash, and what both sides
 * derive from ECDH and the transcript: the pairwise root key K_i, the 6-digit SAS and the
 * customer's key-confirmation tag. The state machines (customer-pairing.ts, agent-pairing.ts)
 * decide when each step may run.
 */
import { concatBytes, encodeLengthPrefixed, encodeU16, encodeUtf8, requireSubtle, toHex, type Bytes } from './bytes.ts';
import { KDF_LABEL, deriveHkdfBytes, importHkdfKey } from './kdf.ts';

export const PUBLIC_KEY_BYTES = 65;
export const PAIRING_NONCE_BYTES = 32;
export const HASH_BYTES = 32;
export const CONFIRM_TAG_BYTES = 16;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** An agent's pairing key: the private half can derive, never be exported. */
export interface PairingIdentity {
  readonly privateKey: CryptoKey;
  /** Uncompressed P-256 point, 65 bytes. */
  readonly publicKey: Bytes;
  /** SHA-256 over a label and the public key: what a voucher vouches for. */
  readonly fingerprint: Bytes;
}

/** The members a pairing binds: who commits (an agent) and who answers (the customer's tab, or a vouching agent). */
export interface PairingParties {
  sessionId: string;
  /** The member that answers the commitment: 0 for the customer's tab. */
  responder: number;
  /** The agent that commits. */
  initiator: number;
}

export interface PairingSecrets {
  /** K_i: a non-extractable HKDF key; pairwise traffic keys derive from it per direction and epoch. */
  root: CryptoKey;
  sas: string;
  confirmTag: Bytes;
}

async function sha256(...parts: Uint8Array[]): Promise<Bytes> {
  return new Uint8Array(await requireSubtle().digest('SHA-256', concatBytes(...parts)));
}

function encodeParties(parties: PairingParties): Bytes {
  return concatBytes(encodeLengthPrefixed(parties.sessionId), encodeU16(parties.responder), encodeU16(parties.initiator));
}

/** A fresh key pair, or one from a fixed private key (JWK with d, x, y) for known-answer tests. */
export async function createPairingIdentity(fixedPrivateJwk?: JsonWebKey): Promise<PairingIdentity> {
  const subtle = requireSubtle();
  let privateKey: CryptoKey;
  let publicKey: Bytes;
  if (fixedPrivateJwk) {
    privateKey = await subtle.importKey('jwk', { ...fixedPrivateJwk, key_ops: ['deriveBits'], ext: false }, ECDH, false, ['deriveBits']);
    const { d: _d, key_ops: _ops, ext: _ext, ...pub } = fixedPrivateJwk;
    const imported = await subtle.importKey('jwk', pub, ECDH, true, []);
    publicKey = new Uint8Array(await subtle.exportKey('raw', imported));
  } else {
    const pair = (await subtle.generateKey(ECDH, false, ['deriveBits'])) as CryptoKeyPair;
    privateKey = pair.privateKey;
    publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  }
  return Object.freeze({ privateKey, publicKey, fingerprint: await fingerprintPublicKey(publicKey) });
}

/** Imports a peer's public key; null when it is not a valid P-256 point. Never throws. */
export async function importPeerPublicKey(raw: Bytes): Promise<CryptoKey | null> {
  if (raw.byteLength !== PUBLIC_KEY_BYTES || raw[0] !== 0x04) return null;
  try {
    return await requireSubtle().importKey('raw', raw, ECDH, false, []);
  } catch {
    return null;
  }
}

export function fingerprintPublicKey(publicKey: Bytes): Promise<Bytes> {
  return sha256(encodeUtf8(`${KDF_LABEL}fingerprint`), publicKey);
}

/** A fingerprint as people read it: 8 groups of 4 hex digits (the first 16 bytes). */
export function formatFingerprint(fingerprint: Uint8Array): string {
  return (toHex(fingerprint.subarray(0, 16)).match(/.{4}/g) ?? []).join(' ');
}

export function computeCommitment(parties: PairingParties, publicKey: Bytes, nonce: Bytes): Promise<Bytes> {
  return sha256(encodeUtf8(`${KDF_LABEL}commit`), encodeParties(parties), publicKey, nonce);
}

/** Everything both sides saw, in one order: the relay cannot change any part unnoticed. */
export function computeTranscriptHash(parties: PairingParties, commitment: Bytes, responderKey: Bytes, initiatorKey: Bytes, nonce: Bytes): Promise<Bytes> {
  return sha256(encodeUtf8(`${KDF_LABEL}transcript`), encodeParties(parties), commitment, responderKey, initiatorKey, nonce);
}

/** 6 decimal digits from 8 bytes (bias below 1e-13). */
export function formatSas(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const value = ((view.getUint32(0) % 1_000_000) * (2 ** 32 % 1_000_000) + view.getUint32(4)) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** The ECDH shared secret (32 bytes), exposed for the known-answer vectors. */
export async function computeSharedSecret(privateKey: CryptoKey, peer: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await requireSubtle().deriveBits({ name: 'ECDH', public: peer }, privateKey, 256));
}

/** The raw outputs of the pairing KDF, exposed for the vectors; the machines import the root at once. */
export async function derivePairingOutputs(shared: Bytes, transcriptHash: Bytes): Promise<{ root: Bytes; sas: string; confirmTag: Bytes }> {
  const base = await importHkdfKey(shared);
  const [root, sasBytes, confirmTag] = await Promise.all([
    deriveHkdfBytes(base, transcriptHash, encodeUtf8(`${KDF_LABEL}pairwise root`), 32),
    deriveHkdfBytes(base, transcriptHash, encodeUtf8(`${KDF_LABEL}sas`), 8),
    deriveHkdfBytes(base, transcriptHash, encodeUtf8(`${KDF_LABEL}confirm`), CONFIRM_TAG_BYTES),
  ]);
  return { root, sas: formatSas(sasBytes), confirmTag };
}

export async function derivePairingSecrets(privateKey: CryptoKey, peer: CryptoKey, transcriptHash: Bytes): Promise<PairingSecrets> {
  const outputs = await derivePairingOutputs(await computeSharedSecret(privateKey, peer), transcriptHash);
  const root = await importHkdfKey(outputs.root);
  outputs.root.fill(0);
  return { root, sas: outputs.sas, confirmTag: outputs.confirmTag };
}
