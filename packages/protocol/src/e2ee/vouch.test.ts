import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeUtf8, randomBytes } from './bytes.ts';
import { createPairingIdentity } from './pairing-crypto.ts';
import { createPairwiseOpener, createPairwiseSender } from './pairwise.ts';
import { carry, runPairingUntilCodes, runVerifiedPairing } from './test-support.ts';
import { acceptVouch, decodeVouchBody, encodeVouchBody, sealVouch } from './vouch.ts';

const SESSION = 'sess-vouch';
const EPOCH = 3;

/** Agent 2 is verified by codes; supervisor 7 is pending with the customer and checks codes with agent 2. */
async function setup() {
  const verified = await runVerifiedPairing(SESSION, 2);
  const supervisorIdentity = await createPairingIdentity();
  const pending = await runPairingUntilCodes(SESSION, 7, supervisorIdentity);
  // Agent 2 checks the supervisor itself: the same commit-then-compare, agent 2 answering.
  const between = await runPairingUntilCodes(SESSION, 7, supervisorIdentity, 2);
  assert.equal(between.customer.sas, between.agent.sas);
  await between.customer.confirm(true); // the two colleagues compared codes
  const toCustomer = await createPairwiseSender(verified.agentLink, EPOCH, 'agent');
  const fromAgent2 = await createPairwiseOpener(verified.customerLink, EPOCH, 'customer');
  return { verified, pending, between, toCustomer, fromAgent2, supervisorIdentity };
}

test('a verified agent vouches for a supervisor who is not on the call: the customer verifies the pending pairing', async () => {
  const { verified, pending, between, toCustomer, fromAgent2 } = await setup();
  const frame = await sealVouch(toCustomer, { newcomer: 7, fingerprint: between.customer.agentFingerprint! });
  const result = acceptVouch(await fromAgent2.open(frame), verified.customerLink, (m) => (m === 7 ? pending.customer : undefined));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(pending.customer.state, 'verified');
  const link = pending.customer.link()!;
  assert.equal(link.verifiedBy, 'vouch');
  assert.equal(link.voucher, 2);
  // The supervisor gets the confirmation and both sides share keys.
  await pending.agent.receive(carry(result.step));
  assert.equal(pending.agent.state, 'verified');
  const ctl = await (await createPairwiseSender(pending.agent.link()!, EPOCH, 'agent')).seal('ctl', encodeUtf8('scroll'));
  assert.ok((await (await createPairwiseOpener(link, EPOCH, 'customer')).open(ctl)).ok);
});

test('a vouch for an unknown member or a mismatched key is rejected', async () => {
  const { verified, pending, toCustomer, fromAgent2 } = await setup();
  const lookup = (m: number) => (m === 7 ? pending.customer : undefined);
  const unknown = acceptVouch(await fromAgent2.open(await sealVouch(toCustomer, { newcomer: 8, fingerprint: pending.customer.agentFingerprint! })), verified.customerLink, lookup);
  assert.deepEqual(unknown, { ok: false, reason: 'unknown_newcomer' });
  // The relay swapped the supervisor's key towards the customer: the voucher saw the real one.
  const relayKey = await createPairingIdentity();
  const mismatch = acceptVouch(await fromAgent2.open(await sealVouch(toCustomer, { newcomer: 7, fingerprint: relayKey.fingerprint })), verified.customerLink, lookup);
  assert.deepEqual(mismatch, { ok: false, reason: 'fingerprint_mismatch' });
  assert.equal(pending.customer.state, 'awaiting_confirmation');
  assert.equal(pending.customer.link(), null);
});

test('only a code-verified agent can vouch, under its own pairwise key', async () => {
  const { verified, pending, fromAgent2 } = await setup();
  // A vouch sealed by someone else (under a key agent 2 does not hold) does not open.
  const stranger = await runVerifiedPairing(SESSION, 2);
  const forged = await sealVouch(await createPairwiseSender(stranger.agentLink, EPOCH, 'agent'), { newcomer: 7, fingerprint: pending.customer.agentFingerprint! });
  assert.deepEqual(acceptVouch(await fromAgent2.open(forged), verified.customerLink, () => pending.customer), { ok: false, reason: 'not_a_vouch' });
  // A vouched-in agent may not vouch on (no chains).
  const chained = { ...verified.customerLink, verifiedBy: 'vouch' as const };
  const sender = await createPairwiseSender(verified.agentLink, EPOCH + 1, 'agent');
  const opened = await (await createPairwiseOpener(verified.customerLink, EPOCH + 1, 'customer')).open(await sealVouch(sender, { newcomer: 7, fingerprint: pending.customer.agentFingerprint! }));
  assert.deepEqual(acceptVouch(opened, chained, () => pending.customer), { ok: false, reason: 'voucher_not_verified' });
  // An agent cannot vouch for itself.
  assert.equal(pending.customer.acceptVouchedFingerprint(pending.customer.agentFingerprint!, 7), null);
});

test('vouch bodies are exactly version, member and fingerprint', () => {
  const fingerprint = randomBytes(32);
  const body = encodeVouchBody({ newcomer: 300, fingerprint });
  assert.equal(body.byteLength, 35);
  assert.deepEqual(decodeVouchBody(body), { newcomer: 300, fingerprint });
  assert.equal(decodeVouchBody(body.subarray(0, 34)), null);
  assert.equal(decodeVouchBody(encodeUtf8('x'.repeat(35))), null);
  assert.throws(() => encodeVouchBody({ newcomer: 0, fingerprint }));
});
