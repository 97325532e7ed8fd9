/**
 * Joining and leaving an end-to-end encrypted session (issue 9, docs/E2EE.md "Epochs"): the real
 * SDK in Chromium owns the keys; the agents are Node clients on the protocol's crypto core that
 * keep every frame and every key they were ever given (as a careless or malicious agent could).
 * A late joiner receives the late-join cache's ciphertext of the epoch before it was verified and
 * cannot open any of it; an agent that left cannot open what the customer sends afterwards, not
 * even with the next key derived from the last one it held.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { GroupEpochKeys, advanceOnJoin, decodeE2eeHeader } from '@samepage/protocol';
import { createUser, eventually, openCustomer, withBrowser } from './support/collab.ts';
import { makeCanaries, startCanarySite, startTappedServer } from './support/e2ee-harness.ts';
import { customerCode, verifyDialog } from './support/e2ee-pages.ts';
import { joinAsNodeAgent, loginCookie, type NodeAgent } from './support/e2ee-node-agent.ts';
import type { CustomerPage } from './support/customer-page.ts';

const isDom = (frame: Uint8Array) => {
  const type = decodeE2eeHeader(frame)?.type;
  return type === 'dom_keyframe' || type === 'dom_delta';
};

/** The customer compares the agent's code and answers "It matches". */
async function verify(customer: CustomerPage, name: string, agent: NodeAgent): Promise<void> {
  assert.equal(await customerCode(customer, name), await agent.code, 'both sides show the same code');
  await verifyDialog(customer, name).getByRole('button', { name: 'It matches', exact: true }).click();
  await eventually(async () => agent.epochs.length > 0, true, `${name} got an epoch key`, 10_000);
}

/** The text of every keyframe `agent` can open among `frames` (a keyframe body is a DOM frame, its payload standalone deflate-raw). */
async function readableKeyframes(agent: NodeAgent, frames: readonly Uint8Array[]): Promise<string[]> {
  const texts: string[] = [];
  for (const frame of frames) {
    if (decodeE2eeHeader(frame)?.type !== 'dom_keyframe') continue;
    const opened = await agent.open(frame);
    if (opened.ok) texts.push(inflateRawSync(opened.plaintext.subarray(12)).toString('utf8'));
  }
  return texts;
}

test('a late joiner cannot open the cached frames sent before it joined; a departed agent cannot open frames sent after it left, even with the next key derived from its last one', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const ann = await createUser(server, 'senior_agent', 'Ann');
  const bea = await createUser(server, 'senior_agent', 'Bea');
  const customer = await openCustomer(browser);
  await customer.open(shop.pageUrl);
  const code = await customer.startSession();

  // Ann joins and is verified: she reads the page.
  const a = await joinAsNodeAgent(server.url, await loginCookie(server.url, ann.email, ann.password), code);
  t.after(() => a.close());
  await verify(customer, 'Ann', a);
  await eventually(async () => (await readableKeyframes(a, a.frames.map((f) => f.data))).some((text) => text.includes(canaries.text)), true, 'Ann reads the page', 10_000);

  // Something happens before Bea joins: it lands in the late-join cache, encrypted under Ann's epoch.
  const seen = a.frames.length;
  await customer.addMarker('before Bea joined');
  await eventually(async () => a.frames.slice(seen).some((f) => decodeE2eeHeader(f.data)?.type === 'dom_delta'), true, 'the change went out');
  a.send({ type: 'invite_create' });
  const invite = (await a.next('invite_created')) as unknown as { code: string };
  const b = await joinAsNodeAgent(server.url, await loginCookie(server.url, bea.email, bea.password), invite.code);
  t.after(() => b.close());
  await eventually(async () => b.frames.some((f) => isDom(f.data)), true, 'Bea got the cached frames at once', 10_000);
  const cached = b.frames.filter((f) => isDom(f.data)).map((f) => f.data);
  const annEpoch = a.epochs[a.epochs.length - 1]!.epoch;
  assert.ok(cached.every((f) => decodeE2eeHeader(f)!.epoch === annEpoch), 'the cache held the epoch Bea was not given');
  await verify(customer, 'Bea', b);
  const beaFirst = b.epochs[0]!.epoch;
  assert.ok(beaFirst > annEpoch, 'Bea starts in a new epoch');
  for (const frame of cached) assert.equal((await b.open(frame)).ok, false, 'Bea cannot open a frame cached before she joined');
  await eventually(async () => (await readableKeyframes(b, b.frames.map((f) => f.data))).some((text) => text.includes('before Bea joined')), true, 'Bea reads the page from her own keyframe on', 10_000);

  // Ann leaves. What the customer does next is readable by Bea only.
  const leftAt = server.frames.length;
  a.send({ type: 'leave' });
  await eventually(async () => b.epochs.length >= 2, true, 'Bea got the epoch that replaced the one Ann knew', 10_000);
  await customer.addMarker('after Ann left');
  // The relay answers a first request from its cache, a second one by asking the customer for a fresh keyframe.
  b.send({ type: 'keyframe_request' });
  b.send({ type: 'keyframe_request' });
  await eventually(async () => (await readableKeyframes(b, b.frames.map((f) => f.data))).some((text) => text.includes('after Ann left')), true, 'Bea reads the page after Ann left', 10_000);
  // Frames still in flight in the old epoch when the customer's tab heard of the leave are not
  // what this is about: everything under the epoch that replaced it is.
  const replaced = b.epochs[1]!.epoch;
  assert.ok(replaced > a.epochs[a.epochs.length - 1]!.epoch, 'the new epoch is above every one Ann held');
  const after = server.frames.slice(leftAt).filter((f) => f.dir === 'out' && f.binary && isDom(f.data) && decodeE2eeHeader(f.data)!.epoch >= replaced).map((f) => new Uint8Array(f.data));
  assert.ok(after.some((f) => decodeE2eeHeader(f)!.type === 'dom_keyframe'), 'the customer sent a keyframe and more after Ann left');
  for (const frame of after) assert.equal((await a.open(frame)).ok, false, 'Ann cannot open a frame sent after she left');
  // A malicious Ann runs the join derivation on the last key she held: a leave uses a fresh random key.
  const last = a.epochs[a.epochs.length - 1]!;
  const guessed = await GroupEpochKeys.create(await advanceOnJoin(last, a.sessionId), a.sessionId);
  assert.equal(guessed.epoch, replaced, 'the guess is for the very epoch that replaced Ann’s');
  for (const frame of after) {
    const opener = guessed.openerFor(0);
    const result = opener && decodeE2eeHeader(frame)!.epoch === guessed.epoch ? await (await opener).open(frame, { inflate: false }) : { ok: false };
    assert.equal(result.ok, false, 'the derived guess does not open it either');
  }
});

test('a page load keeps the verified agents: no new code to compare, a new epoch above the last one, and the agent reads the reloaded page', async (t) => {
  const browser = await withBrowser(t);
  const server = await startTappedServer(t);
  const canaries = makeCanaries();
  const shop = await startCanarySite(t, server, canaries, { e2ee: true });
  const ann = await createUser(server, 'senior_agent', 'Ann');
  const customer = await openCustomer(browser);
  await customer.open(shop.pageUrl);
  const code = await customer.startSession();
  const a = await joinAsNodeAgent(server.url, await loginCookie(server.url, ann.email, ann.password), code);
  t.after(() => a.close());
  await verify(customer, 'Ann', a);
  const before = a.epochs.at(-1)!.epoch;

  await customer.page.reload();
  await customer.waitForSdk();
  await customer.addMarker('after the page load');
  a.send({ type: 'keyframe_request' });
  a.send({ type: 'keyframe_request' });
  await eventually(async () => (await readableKeyframes(a, a.frames.map((f) => f.data))).some((text) => text.includes('after the page load')), true, 'Ann reads the reloaded page', 15_000);
  assert.ok(a.epochs.at(-1)!.epoch > before, 'the page load started a new epoch');
  assert.equal(await verifyDialog(customer, 'Ann').count(), 0, 'the customer was not asked again');
});
