/**
 * Vouching (docs/E2EE.md, "Vouching"): a supervisor who is not on the call cannot read a code to
 * the customer. An agent the customer verified by comparing codes checks the newcomer's key
 * itself (its own commit-then-compare pairing with the newcomer, codes compared between the two
 * agents), then sends the customer, under its own pairwise key, a `vouch` frame naming the
 * newcomer's member number and key fingerprint. The customer accepts it only for a pairing with
 * that member that is waiting for confirmation and whose revealed key has that fingerprint.
 *
 * Body (binary, 35 bytes): u8 version = 1 | u16 newcomer member | 32-byte fingerprint.
 */
import { concatBytes, copyBytes, encodeU16, type Bytes } from './bytes.ts';
import type { OpenResult } from './envelope.ts';
import type { FrameSender } from './frame-sender.ts';
import { isAgentMember } from './key-scope.ts';
import type { PairingStep } from './pair-body.ts';
import { HASH_BYTES } from './pairing-crypto.ts';
import type { CustomerPairing } from './customer-pairing.ts';
import type { PairwiseLink } from './pairwise.ts';

const VOUCH_VERSION = 1;
export const VOUCH_BODY_BYTES = 3 + HASH_BYTES;

export type VouchFailure = 'not_a_vouch' | 'malformed' | 'voucher_not_verified' | 'unknown_newcomer' | 'fingerprint_mismatch';
export type VouchResult = { ok: true; newcomer: number; step: PairingStep } | { ok: false; reason: VouchFailure };

export interface Vouch {
  newcomer: number;
  fingerprint: Bytes;
}

export function encodeVouchBody(vouch: Vouch): Bytes {
  if (!isAgentMember(vouch.newcomer) || vouch.fingerprint.byteLength !== HASH_BYTES) throw new RangeError('a vouch names an agent member and a 32-byte fingerprint');
  return concatBytes(new Uint8Array([VOUCH_VERSION]), encodeU16(vouch.newcomer), vouch.fingerprint);
}

/** Null when the bytes are not a vouch body. Never throws. */
export function decodeVouchBody(bytes: Uint8Array): Vouch | null {
  if (bytes.byteLength !== VOUCH_BODY_BYTES || bytes[0] !== VOUCH_VERSION) return null;
  const newcomer = ((bytes[1] as number) << 8) | (bytes[2] as number);
  if (!isAgentMember(newcomer)) return null;
  return { newcomer, fingerprint: copyBytes(bytes.subarray(3)) };
}

/** The voucher's side: seals a vouch under its pairwise key to the customer. */
export function sealVouch(toCustomer: FrameSender, vouch: Vouch): Promise<Bytes> {
  return toCustomer.seal('vouch', encodeVouchBody(vouch));
}

/**
 * The customer's side: `opened` is a frame opened with the voucher's pairwise opener, `voucher` the
 * customer's verified link with its sender, `pendingFor` finds the pending pairing with a member.
 * Only an agent verified by comparing codes may vouch (no chains of vouches). Never throws.
 */
export function acceptVouch(opened: OpenResult, voucher: PairwiseLink, pendingFor: (member: number) => CustomerPairing | undefined): VouchResult {
  if (!opened.ok || opened.header.type !== 'vouch') return { ok: false, reason: 'not_a_vouch' };
  if (opened.header.sender !== voucher.agent || voucher.verifiedBy !== 'sas') return { ok: false, reason: 'voucher_not_verified' };
  const vouch = decodeVouchBody(opened.plaintext);
  if (!vouch) return { ok: false, reason: 'malformed' };
  const pending = pendingFor(vouch.newcomer);
  if (!pending || pending.state !== 'awaiting_confirmation' || pending.parties.initiator !== vouch.newcomer) return { ok: false, reason: 'unknown_newcomer' };
  const step = pending.acceptVouchedFingerprint(vouch.fingerprint, voucher.agent);
  return step ? { ok: true, newcomer: vouch.newcomer, step } : { ok: false, reason: 'fingerprint_mismatch' };
}
