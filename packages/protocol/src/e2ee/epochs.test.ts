import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeUtf8, equalBytes, toHex } from './bytes.ts';
import { decodeE2eeHeader } from './envelope-header.ts';
import { computeNonce } from './envelope.ts';
import {
  EPOCH_MAX_AGE_MS,
  GroupEpochKeys,
  advanceOnJoin,
  chooseEpochAtPageLoad,
  createEpoch,
  createGroupSender,
  isRotationDue,
  replaceOnLeave,
  rotateOnTimer,
} from './epochs.ts';
import { deriveGroupMaterial } from './kdf.ts';
import { Keyring } from './keyring.ts';

const SESSION = 'sess-epochs';

async function openWith(epochSecret: Parameters<typeof GroupEpochKeys.create>[0], frame: Uint8Array) {
  const keys = await GroupEpochKeys.create(epochSecret, SESSION);
  return (await keys.openerFor(decodeE2eeHeader(frame)!.sender)!).open(frame);
}

test('createEpoch makes a fresh random 32-byte secret each time', () => {
  const a = createEpoch(1);
  const b = createEpoch(1);
  assert.equal(a.secret.byteLength, 32);
  assert.ok(!equalBytes(a.secret, b.secret));
  assert.throws(() => createEpoch(-1));
  assert.throws(() => createEpoch(2 ** 32));
});

test('join: the epoch moves forward by HKDF, deterministically; a late joiner cannot read the epoch before', async () => {
  const e1 = createEpoch(1);
  const e2 = await advanceOnJoin(e1, SESSION);
  assert.equal(e2.epoch, 2);
  assert.equal(e2.reason, 'join');
  assert.deepEqual(e2.secret, (await advanceOnJoin(e1, SESSION)).secret, 'members holding E_1 can follow on their own');
  assert.ok(!equalBytes(e2.secret, (await advanceOnJoin(e1, 'other-session')).secret), 'bound to the session');

  const before = await (await createGroupSender(e1, SESSION, 0)).seal('dom_keyframe', encodeUtf8('before the join'));
  const after = await (await createGroupSender(e2, SESSION, 0)).seal('dom_keyframe', encodeUtf8('after the join'));
  assert.ok((await openWith(e2, after)).ok, 'the newcomer reads the new epoch');
  assert.ok((await openWith(e1, before)).ok);
  // The newcomer holds only E_2: under it, the epoch-1 frame is refused (wrong epoch, and the key would be wrong too).
  const lateJoiner = new Keyring();
  await lateJoiner.addEpoch(e2, SESSION);
  assert.deepEqual((await lateJoiner.open(before)).ok, false);
  const relabelled = new Uint8Array(before);
  new DataView(relabelled.buffer).setUint32(4, 2);
  assert.equal((await lateJoiner.open(relabelled)).ok, false, 'even relabelled as epoch 2');
});

test('leave: a fresh random secret that the departed agent cannot derive from what it held', async () => {
  const e1 = createEpoch(1);
  const e2 = replaceOnLeave(e1);
  assert.equal(e2.epoch, 2);
  assert.ok(!equalBytes(e2.secret, (await advanceOnJoin(e1, SESSION)).secret), 'not the join derivation');
  const departed = new Keyring();
  await departed.addEpoch(e1, SESSION);
  const later = await (await createGroupSender(e2, SESSION, 0)).seal('dom_delta', encodeUtf8('after the leave'));
  assert.equal((await departed.open(later)).ok, false);
  const relabelled = new Uint8Array(later);
  new DataView(relabelled.buffer).setUint32(4, 1);
  assert.equal((await departed.open(relabelled)).ok, false, 'relabelled as the old epoch, it still fails');
});

test('rotation: due after ten minutes, fresh random on the timer and at every page load, numbers only go up', () => {
  const e = createEpoch(4, 'page_load', 1_000);
  assert.equal(isRotationDue(e, 1_000 + EPOCH_MAX_AGE_MS - 1), false);
  assert.equal(isRotationDue(e, 1_000 + EPOCH_MAX_AGE_MS), true);
  const t = rotateOnTimer(e, 5_000);
  assert.equal(t.epoch, 5);
  assert.ok(!equalBytes(t.secret, e.secret));
  assert.equal(chooseEpochAtPageLoad({ serverEpoch: 9, lastUsedEpoch: 4 }).epoch, 10);
  assert.equal(chooseEpochAtPageLoad({ serverEpoch: 2, lastUsedEpoch: 12 }).epoch, 13, 'a relay that under-reports cannot make the tab reuse a number');
  assert.equal(chooseEpochAtPageLoad().epoch, 1);
  assert.throws(() => replaceOnLeave(createEpoch(2 ** 32 - 1)));
});

test('no (key, nonce) pair repeats across rekeys, page loads, senders and reconnects', async () => {
  const seen = new Set<string>();
  const record = async (epoch: ReturnType<typeof createEpoch>, member: number, frames: number) => {
    const sender = await createGroupSender(epoch, SESSION, member);
    const material = await deriveGroupMaterial(epoch.secret, SESSION, epoch.epoch, member);
    for (let i = 0; i < frames; i++) {
      const header = decodeE2eeHeader(await sender.seal(member === 0 ? 'dom_delta' : 'chat', encodeUtf8('x')))!;
      const id = `${toHex(material.key)}/${toHex(computeNonce(material.salt, header.seq))}`;
      assert.ok(!seen.has(id), `reused (key, nonce) in epoch ${epoch.epoch}, sender ${member}`);
      seen.add(id);
    }
  };
  // Page load 1: epochs 1 → 2 (join) → 3 (leave); page load 2 (a reload) starts above 3; a reconnect is a rejoin → advance.
  let epoch = chooseEpochAtPageLoad();
  await record(epoch, 0, 20);
  epoch = await advanceOnJoin(epoch, SESSION);
  for (const member of [0, 1, 2]) await record(epoch, member, 20);
  epoch = replaceOnLeave(epoch);
  await record(epoch, 0, 20);
  epoch = chooseEpochAtPageLoad({ lastUsedEpoch: epoch.epoch });
  await record(epoch, 0, 20);
  epoch = await advanceOnJoin(epoch, SESSION);
  for (const member of [0, 1]) await record(epoch, member, 20);
  assert.equal(seen.size, 20 * 8);
});

test('a keyring forgets old epochs for good and caps the senders it derives for', async () => {
  const keyring = new Keyring();
  const e1 = createEpoch(1);
  assert.equal(await keyring.addEpoch(e1, SESSION), true);
  assert.equal(await keyring.addEpoch(e1, SESSION), false, 'only the first add starts senders');
  const frame = await (await createGroupSender(e1, SESSION, 0)).seal('dom_delta', encodeUtf8('x'));
  keyring.forgetEpochsBefore(2);
  assert.deepEqual(!(await keyring.open(frame)).ok, true);
  assert.equal(await keyring.addEpoch(e1, SESSION), false, 'a forgotten epoch cannot come back with a fresh replay window');
  const keys = await GroupEpochKeys.create(createEpoch(3), SESSION, 2);
  assert.ok(keys.openerFor(1) && keys.openerFor(2));
  assert.equal(keys.openerFor(3), null);
});
