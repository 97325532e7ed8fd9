/**
 * The customer's key schedule and outbox (e2ee-keys.ts, e2ee-outbox.ts) on Node's WebCrypto,
 * with real pairings (the protocol's state machines) and the agents' own Keyring.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentPairing, CustomerPairing, FLAG_KEYFRAME, Keyring, createPairingIdentity, decodeE2eeHeader, readEpochKey, type PairBody, type PairingStep, type PairwiseLink } from '@samepage/protocol';
import { CustomerKeys } from './e2ee-keys.ts';
import { createOutbox } from './e2ee-outbox.ts';
import { DOM_KEYFRAME_FLAG } from './e2ee-channel.ts';

const SESSION = 'ses_keys_test';
const carry = (step: PairingStep): unknown => JSON.parse(JSON.stringify(step.send as PairBody));

async function pair(member: number): Promise<{ customer: PairwiseLink; agent: PairwiseLink }> {
  const agent = new AgentPairing({ sessionId: SESSION, member, identity: await createPairingIdentity() });
  const customer = new CustomerPairing({ sessionId: SESSION, agent: member });
  const reveal = await agent.receive(carry(await customer.receive(carry(await agent.start()))));
  await customer.receive(carry(reveal));
  await agent.receive(carry(await customer.confirm(true)));
  return { customer: customer.link()!, agent: agent.link()! };
}

function setup() {
  const sent: Uint8Array[] = [];
  const epochs: number[] = [];
  const outbox = createOutbox((f) => void sent.push(f), (e) => assert.fail(String(e)));
  const keys = new CustomerKeys({ sessionId: SESSION, outbox, onEpoch: (n) => void epochs.push(n), report: (e) => assert.fail(String(e)) });
  return { sent, epochs, outbox, keys };
}

/** An agent's keyring fed with every `key` frame addressed to it. */
async function agentKeys(link: PairwiseLink, frames: readonly Uint8Array[]): Promise<{ keyring: Keyring; epochs: number[] }> {
  const keyring = new Keyring();
  keyring.addLink(link, 'agent');
  const epochs: number[] = [];
  for (const frame of frames) {
    const h = decodeE2eeHeader(frame);
    if (h?.type !== 'key' || h.to !== link.agent) continue;
    const epoch = readEpochKey(await keyring.open(frame));
    if (epoch && (await keyring.addEpoch(epoch, SESSION))) epochs.push(epoch.epoch);
  }
  return { keyring, epochs };
}

test('the SDK reads the DOM frame keyframe bit the protocol defines', () => {
  assert.equal(DOM_KEYFRAME_FLAG, FLAG_KEYFRAME);
});

test('sealed frames leave the outbox in the order they were asked for, even when sealing finishes out of order', async () => {
  const sent: string[] = [];
  const outbox = createOutbox((f) => void sent.push(new TextDecoder().decode(f)), () => undefined);
  const later = (text: string, ms: number) => new Promise<Uint8Array>((r) => setTimeout(() => r(new TextEncoder().encode(text)), ms));
  outbox.push(later('first', 30), 5);
  outbox.push(later('second', 0), 6);
  outbox.push(Promise.reject(new Error('a seal failed')), 7);
  outbox.push(later('third', 10), 5);
  assert.equal(outbox.pendingBytes(), 23);
  await outbox.idle();
  assert.deepEqual(sent, ['first', 'second', 'third']);
  assert.equal(outbox.pendingBytes(), 0);
});

test('page load picks an epoch above the relay and the stored high-water mark; nothing is sealed before it exists, DOM frames are then sealed at once', async () => {
  const { sent, epochs, outbox, keys } = setup();
  assert.equal(keys.sealGroup('dom_keyframe', new Uint8Array([1]), true), false, 'no epoch yet: a DOM frame is not sealed');
  await keys.start(41, 44);
  assert.deepEqual(epochs, [45]);
  assert.equal(keys.current, 45);
  assert.equal(keys.sealGroup('dom_keyframe', new Uint8Array([1, 2, 3]), true), true);
  await outbox.idle();
  assert.deepEqual(sent.map((f) => decodeE2eeHeader(f)), [{ type: 'dom_keyframe', flags: 1, epoch: 45, sender: 0, to: 0xffff, seq: 0, len: 19 }]);
});

test('a verified join advances the epoch and sends it to every verified agent only; the newcomer cannot open the epoch before; a leave replaces it for the others', async () => {
  const { sent, outbox, keys } = setup();
  await keys.start(null, null);
  const first = keys.current!;
  keys.sealGroup('dom_delta', new Uint8Array([9]), true);
  const ann = await pair(1);
  assert.equal(keys.addAgent(ann.customer), true);
  await keys.settled();
  await outbox.idle();
  const annKeys = await agentKeys(ann.agent, sent);
  assert.ok(annKeys.epochs.length >= 1 && annKeys.epochs.every((n) => n > first), 'Ann gets epochs after her join only');
  const before = sent.find((f) => decodeE2eeHeader(f)?.epoch === first)!;
  assert.equal((await annKeys.keyring.open(before)).ok, false, 'Ann cannot open what came before her');

  const bea = await pair(2);
  keys.addAgent(bea.customer);
  keys.removeAgent(1);
  await keys.settled();
  await outbox.idle();
  const last = keys.current!;
  keys.sealGroup('chat', new Uint8Array([7]), true);
  await outbox.idle();
  const afterLeave = sent[sent.length - 1]!;
  assert.equal(decodeE2eeHeader(afterLeave)?.epoch, last);
  const annLater = await agentKeys(ann.agent, sent);
  assert.equal((await annLater.keyring.open(afterLeave)).ok, false, 'Ann, gone, cannot open the next epoch');
  const beaKeys = await agentKeys(bea.agent, sent);
  assert.ok(beaKeys.epochs.includes(last), 'Bea holds the newest epoch');
  assert.equal((await beaKeys.keyring.open(afterLeave)).ok, true, 'and opens it');
  const keyFrames = sent.filter((f) => decodeE2eeHeader(f)?.type === 'key');
  assert.ok(keyFrames.every((f) => [1, 2].includes(decodeE2eeHeader(f)!.to)), 'keys go to verified agents only');
  assert.ok(!keyFrames.some((f) => decodeE2eeHeader(f)!.to === 1 && decodeE2eeHeader(f)!.epoch === last), 'none for Ann after she left');
});
