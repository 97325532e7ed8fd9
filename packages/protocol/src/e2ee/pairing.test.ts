import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeUtf8, randomBytes, toBase64Url } from './bytes.ts';
import { AgentPairing } from './agent-pairing.ts';
import { CustomerPairing } from './customer-pairing.ts';
import { createEpoch } from './epochs.ts';
import { Keyring } from './keyring.ts';
import { decodePairFrame, encodePairFrame, makeCommitBody, makeRevealBody, parsePairBody } from './pair-body.ts';
import { createPairingIdentity, formatSas } from './pairing-crypto.ts';
import { createPairwiseOpener, createPairwiseSender, readEpochKey, sealEpochKey } from './pairwise.ts';
import { carry, runPairingUntilCodes, runVerifiedPairing } from './test-support.ts';

const SESSION = 'sess-pairing';

test('both screens show the same 6 digits, and the pairwise keys work both ways once verified', async () => {
  const { customer, agent } = await runPairingUntilCodes(SESSION, 3);
  assert.equal(customer.state, 'awaiting_confirmation');
  assert.equal(agent.state, 'revealed');
  assert.match(customer.sas!, /^\d{6}$/);
  assert.equal(customer.sas, agent.sas);
  assert.equal(customer.link(), null, 'no pairwise key before the customer confirms');
  assert.equal(agent.link(), null);

  const confirm = await customer.confirm(true);
  assert.equal(confirm.send?.step, 'confirm');
  await agent.receive(carry(confirm));
  assert.equal(customer.state, 'verified');
  assert.equal(agent.state, 'verified');

  // Customer → agent: the epoch key. Agent → customer: a control action.
  const epoch = createEpoch(7);
  const agentKeys = new Keyring();
  agentKeys.addLink(agent.link()!, 'agent');
  const keyFrame = await sealEpochKey(await createPairwiseSender(customer.link()!, 7, 'customer'), epoch);
  const received = readEpochKey(await agentKeys.open(keyFrame));
  assert.deepEqual(received?.secret, epoch.secret);
  assert.equal(received?.epoch, 7);

  const ctl = await (await createPairwiseSender(agent.link()!, 7, 'agent')).seal('ctl', encodeUtf8('{"kind":"click"}'));
  const opened = await (await createPairwiseOpener(customer.link()!, 7, 'customer')).open(ctl);
  assert.ok(opened.ok);
  assert.equal(new TextDecoder().decode(opened.plaintext), '{"kind":"click"}');
  // The two directions are different keys: the customer's own sender cannot produce what it accepts from the agent.
  const reflected = await (await createPairwiseSender(customer.link()!, 7, 'customer')).seal('ctl_result', encodeUtf8('ok'));
  assert.equal((await (await createPairwiseOpener(customer.link()!, 7, 'customer')).open(reflected)).ok, false);
});

test('a mismatch fails both sides, tells the agent why, and releases nothing', async () => {
  const { customer, agent } = await runPairingUntilCodes(SESSION, 3);
  const step = await customer.confirm(false);
  assert.deepEqual(step.send, { v: 1, step: 'abort', reason: 'sas_mismatch' });
  assert.equal(customer.state, 'failed');
  assert.equal(customer.failure, 'sas_mismatch');
  assert.equal(customer.link(), null);
  assert.equal(customer.sas, null, 'the code is no longer shown as if valid');
  await agent.receive(carry(step));
  assert.equal(agent.state, 'failed');
  assert.equal(agent.failure, 'sas_mismatch');
  assert.deepEqual(await customer.confirm(true), { send: null }, 'a later "match" changes nothing');
  assert.equal(customer.link(), null);
});

test('a reveal that does not match the commitment is refused', async () => {
  const agent = new AgentPairing({ sessionId: SESSION, member: 3, identity: await createPairingIdentity() });
  const customer = new CustomerPairing({ sessionId: SESSION, agent: 3 });
  await customer.receive(carry(await agent.start()));
  const other = await createPairingIdentity();
  const step = await customer.receive(makeRevealBody(other.publicKey, randomBytes(32)));
  assert.deepEqual(step.send, { v: 1, step: 'abort', reason: 'bad_commitment' });
  assert.equal(customer.state, 'failed');
});

test('the commitment binds the session and the agent member number', async () => {
  const agent = new AgentPairing({ sessionId: SESSION, member: 3, identity: await createPairingIdentity() });
  const wrongMember = new CustomerPairing({ sessionId: SESSION, agent: 4 });
  const offer = await wrongMember.receive(carry(await agent.start()));
  await wrongMember.receive(carry(await agent.receive(carry(offer))));
  assert.equal(wrongMember.failure, 'bad_commitment');
});

test('a forged confirmation does not verify the agent', async () => {
  const { agent } = await runPairingUntilCodes(SESSION, 3);
  const step = await agent.receive({ v: 1, step: 'confirm', tag: toBase64Url(randomBytes(16)) });
  assert.equal(agent.state, 'failed');
  assert.equal(agent.failure, 'bad_confirmation');
  assert.equal(step.send?.step, 'abort');
  assert.equal(agent.link(), null);
});

test('out-of-order, malformed and repeated messages fail the pairing without throwing', async () => {
  const identity = await createPairingIdentity();
  for (const junk of [null, 42, 'x', {}, { v: 2, step: 'commit', commitment: toBase64Url(randomBytes(32)) }, { v: 1, step: 'commit', commitment: 'short' }, { v: 1, step: 'reveal' }]) {
    const customer = new CustomerPairing({ sessionId: SESSION, agent: 3 });
    const step = await customer.receive(junk);
    assert.equal(customer.state, 'failed', JSON.stringify(junk));
    assert.equal(step.send?.step, 'abort');
  }
  const customer = new CustomerPairing({ sessionId: SESSION, agent: 3 });
  await customer.receive(makeCommitBody(randomBytes(32)));
  await customer.receive(makeCommitBody(randomBytes(32)));
  assert.equal(customer.failure, 'unexpected_message', 'a second commitment');
  const agent = new AgentPairing({ sessionId: SESSION, member: 3, identity });
  await agent.start();
  await agent.receive({ v: 1, step: 'offer', publicKey: toBase64Url(new Uint8Array(65).fill(4)) });
  assert.equal(agent.failure, 'bad_key', 'not a point on the curve');
  const asCustomer = new AgentPairing({ sessionId: SESSION, member: 0, identity });
  await asCustomer.start();
  assert.equal(asCustomer.state, 'failed', 'an agent never pairs as member 0');
});

test('pair frames carry the body in clear under a valid header, and decode to validated bodies', async () => {
  const body = makeCommitBody(randomBytes(32));
  const frame = encodePairFrame({ epoch: 0, sender: 3, to: 0, seq: 0 }, body);
  const decoded = decodePairFrame(frame);
  assert.deepEqual(decoded?.body, body);
  assert.equal(decoded?.header.flags, 0);
  const tampered = new Uint8Array(frame);
  tampered[tampered.byteLength - 3] = 0x7b;
  assert.equal(decodePairFrame(tampered), null);
  assert.throws(() => encodePairFrame({ epoch: 0, sender: 3, to: 0xffff, seq: 0 }, body));
  assert.equal(parsePairBody({ ...body, extra: 1 }), null, 'unknown keys are refused');
});

test('the SAS is 6 digits from 8 bytes, evenly spread', () => {
  assert.equal(formatSas(new Uint8Array(8)), '000000');
  assert.equal(formatSas(new Uint8Array(8).fill(0xff)), String((2n ** 64n - 1n) % 1_000_000n).padStart(6, '0'));
  const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const big = BigInt('0x0102030405060708') % 1_000_000n;
  assert.equal(formatSas(bytes), String(big).padStart(6, '0'));
});

test('a supervisor identity reused across pairings keeps one fingerprint', async () => {
  const identity = await createPairingIdentity();
  const a = await runVerifiedPairing(SESSION, 5, identity);
  const b = await runVerifiedPairing('other-session', 5, identity);
  assert.deepEqual(a.customerLink.agentFingerprint, b.customerLink.agentFingerprint);
});

test('the customer keeps one verified pairing per member number', async () => {
  const first = await runVerifiedPairing(SESSION, 4);
  const second = await runVerifiedPairing(SESSION, 4);
  const keyring = new Keyring();
  assert.equal(keyring.addLink(first.customerLink, 'customer'), true);
  assert.equal(keyring.addLink(first.customerLink, 'customer'), true, 'the same link again is fine');
  assert.equal(keyring.addLink(second.customerLink, 'customer'), false, 'a second agent under member 4 is refused');
  assert.equal(keyring.linkOf(4), first.customerLink);
  keyring.removeLink(4);
  assert.equal(keyring.addLink(second.customerLink, 'customer'), true, 'after the first one left');
});
