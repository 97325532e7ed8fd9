/**
 * The body of `pair` frames: small JSON, public (the relay may read it; nothing in it is secret),
 * byte fields in unpadded base64url. One schema per step, validated; decoding never throws.
 *
 *   commit   agent → customer   H(pkA || nA)
 *   offer    customer → agent   pkC, fresh for this pairing
 *   reveal   agent → customer   pkA and nA
 *   confirm  customer → agent   key-confirmation tag, sent only after the customer tapped "match"
 *   abort    either way         why the pairing failed
 */
import * as v from 'valibot';
import { encodeUtf8, fromBase64Url, toBase64Url, type Bytes } from './bytes.ts';
import { E2EE_TO_GROUP, decodeE2eeHeader, e2eeBody, encodeE2eeHeader, type E2eeHeader } from './envelope-header.ts';
import { CONFIRM_TAG_BYTES, HASH_BYTES, PAIRING_NONCE_BYTES, PUBLIC_KEY_BYTES } from './pairing-crypto.ts';

export const PAIR_BODY_VERSION = 1;
export const MAX_PAIR_BODY_BYTES = 1024;

export const PAIRING_FAILURES = ['sas_mismatch', 'bad_commitment', 'bad_key', 'bad_confirmation', 'unexpected_message', 'declined'] as const;
export type PairingFailure = (typeof PAIRING_FAILURES)[number];

/** base64url text that decodes to exactly `bytes` bytes. */
const b64 = (bytes: number) =>
  v.pipe(
    v.string(),
    v.maxLength(Math.ceil((bytes * 4) / 3)),
    v.check((text) => fromBase64Url(text)?.byteLength === bytes, `must be ${bytes} bytes of base64url`),
  );

// Built on first use, so bundles that never pair (the SDK without e2ee) do not carry the schema.
const buildPairBodySchema = () =>
  v.variant('step', [
  v.strictObject({ v: v.literal(PAIR_BODY_VERSION), step: v.literal('commit'), commitment: b64(HASH_BYTES) }),
  v.strictObject({ v: v.literal(PAIR_BODY_VERSION), step: v.literal('offer'), publicKey: b64(PUBLIC_KEY_BYTES) }),
  v.strictObject({ v: v.literal(PAIR_BODY_VERSION), step: v.literal('reveal'), publicKey: b64(PUBLIC_KEY_BYTES), nonce: b64(PAIRING_NONCE_BYTES) }),
  v.strictObject({ v: v.literal(PAIR_BODY_VERSION), step: v.literal('confirm'), tag: b64(CONFIRM_TAG_BYTES) }),
  v.strictObject({ v: v.literal(PAIR_BODY_VERSION), step: v.literal('abort'), reason: v.picklist(PAIRING_FAILURES) }),
  ]);
let pairBodySchema: ReturnType<typeof buildPairBodySchema> | null = null;

/** The valibot schema of pair bodies. */
export function getPairBodySchema(): ReturnType<typeof buildPairBodySchema> {
  return (pairBodySchema ??= buildPairBodySchema());
}
export type PairBody = v.InferOutput<ReturnType<typeof buildPairBodySchema>>;
export type PairStep = PairBody['step'];

/** What a pairing state machine wants sent after a step: a body for the other side, or nothing. */
export interface PairingStep {
  send: PairBody | null;
}

/** Reads bytes that a PairBody schema already checked. */
export function readPairBytes(text: string): Bytes {
  return fromBase64Url(text) ?? new Uint8Array(0);
}

export function makeCommitBody(commitment: Bytes): PairBody {
  return { v: PAIR_BODY_VERSION, step: 'commit', commitment: toBase64Url(commitment) };
}
export function makeOfferBody(publicKey: Bytes): PairBody {
  return { v: PAIR_BODY_VERSION, step: 'offer', publicKey: toBase64Url(publicKey) };
}
export function makeRevealBody(publicKey: Bytes, nonce: Bytes): PairBody {
  return { v: PAIR_BODY_VERSION, step: 'reveal', publicKey: toBase64Url(publicKey), nonce: toBase64Url(nonce) };
}
export function makeConfirmBody(tag: Bytes): PairBody {
  return { v: PAIR_BODY_VERSION, step: 'confirm', tag: toBase64Url(tag) };
}
export function makeAbortBody(reason: PairingFailure): PairBody {
  return { v: PAIR_BODY_VERSION, step: 'abort', reason };
}

/** Validates an already parsed value; null when it is not a pair body. */
export function parsePairBody(value: unknown): PairBody | null {
  const result = v.safeParse(getPairBodySchema(), value);
  return result.success ? result.output : null;
}

/** Decodes the bytes of a pair body; null when they are not one. Never throws. */
export function decodePairBody(bytes: Uint8Array): PairBody | null {
  if (bytes.byteLength > MAX_PAIR_BODY_BYTES) return null;
  try {
    return parsePairBody(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch {
    return null;
  }
}

export function encodePairBody(body: PairBody): Bytes {
  return encodeUtf8(JSON.stringify(body));
}

/** A whole `pair` frame: the cleartext header (flags 0: not encrypted) and the JSON body. */
export function encodePairFrame(fields: Pick<E2eeHeader, 'epoch' | 'sender' | 'to' | 'seq'>, body: PairBody): Bytes {
  if (fields.to === E2EE_TO_GROUP) throw new RangeError('pair frames go to one member');
  const bytes = encodePairBody(body);
  const header = encodeE2eeHeader({ ...fields, type: 'pair', flags: 0, len: bytes.byteLength });
  const out = new Uint8Array(header.byteLength + bytes.byteLength);
  out.set(header);
  out.set(bytes, header.byteLength);
  return out;
}

/** Reads a `pair` frame; null when it is not a well-formed one. Never throws. */
export function decodePairFrame(frame: Uint8Array): { header: E2eeHeader; body: PairBody } | null {
  const header = decodeE2eeHeader(frame);
  if (!header || header.type !== 'pair') return null;
  const body = decodePairBody(e2eeBody(frame));
  return body ? { header, body } : null;
}
