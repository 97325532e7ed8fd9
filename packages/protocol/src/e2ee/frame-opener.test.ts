import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeUtf8, randomBytes } from './bytes.ts';
import { E2EE_TO_GROUP, encodeE2eeHeader, decodeE2eeHeader } from './envelope-header.ts';
import { sealEnvelope } from './envelope.ts';
import { importAesKey } from './kdf.ts';
import { createFrameSender } from './frame-sender.ts';
import { createFrameOpener } from './frame-opener.ts';

const SESSION = 'sess-opener';
const group = { sessionId: SESSION, epoch: 5, sender: 0, to: E2EE_TO_GROUP };

async function pair(scope = group) {
  const material = { key: randomBytes(32), salt: randomBytes(12) };
  return { material, sender: await createFrameSender(material, scope), opener: await createFrameOpener(material, scope) };
}

test('a replayed frame, a reused seq and an older seq are refused; gaps are allowed', async () => {
  const { sender, opener } = await pair();
  const f0 = await sender.seal('dom_keyframe', encodeUtf8('k'));
  const f1 = await sender.seal('dom_delta', encodeUtf8('d1'));
  const f2 = await sender.seal('dom_delta', encodeUtf8('d2'));
  const f3 = await sender.seal('dom_delta', encodeUtf8('d3'));
  assert.ok((await opener.open(f0)).ok);
  assert.ok((await opener.open(f2)).ok, 'a dropped frame (f1) leaves a gap, which is allowed');
  for (const [frame, what] of [[f0, 'replay'], [f2, 'replay of the latest'], [f1, 'older seq']] as const) {
    const result = await opener.open(frame);
    assert.deepEqual(!result.ok && result.reason, 'replayed', what);
  }
  assert.ok((await opener.open(f3)).ok);
  assert.equal(opener.highestSeq, 3);
});

test('a frame sealed again with a reused nonce (same key, same seq) is refused', async () => {
  const { material, sender, opener } = await pair();
  const first = await sender.seal('dom_delta', encodeUtf8('first'));
  assert.ok((await opener.open(first)).ok);
  // A broken sealer that reuses seq 0 under the same key: the opener must not accept it.
  const reused = await sealEnvelope(await importAesKey(material.key), material.salt, SESSION, { type: 'dom_delta', epoch: 5, sender: 0, to: E2EE_TO_GROUP, seq: 0 }, encodeUtf8('other'));
  const result = await opener.open(reused);
  assert.deepEqual(!result.ok && result.reason, 'replayed');
});

test('two copies of a frame opened concurrently: exactly one passes', async () => {
  const { sender, opener } = await pair();
  const frame = await sender.seal('dom_delta', encodeUtf8('once'));
  const results = await Promise.all([opener.open(frame), opener.open(frame), opener.open(frame)]);
  assert.equal(results.filter((r) => r.ok).length, 1);
});

test('a forged frame with a high seq does not move the replay window', async () => {
  const { sender, opener } = await pair();
  const real = await sender.seal('dom_delta', encodeUtf8('a'));
  const forged = new Uint8Array(await sender.seal('dom_delta', encodeUtf8('b')));
  new DataView(forged.buffer).setUint32(12, 1_000_000);
  assert.equal((await opener.open(forged)).ok, false);
  assert.ok((await opener.open(real)).ok, 'the real frame still opens');
});

test('a frame whose header does not match the key is refused before decryption', async () => {
  const { sender, opener } = await pair();
  const frame = await sender.seal('dom_delta', encodeUtf8('x'));
  const header = decodeE2eeHeader(frame)!;
  for (const change of [{ epoch: 6 }, { sender: 2 }, { to: 3, type: 'ctl_result' as const }]) {
    const edited = new Uint8Array(frame);
    edited.set(encodeE2eeHeader({ ...header, ...change }));
    const result = await opener.open(edited);
    assert.deepEqual(!result.ok && result.reason, 'header_mismatch', JSON.stringify(change));
  }
  // A DOM frame claiming to come from an agent's group key: not allowed for that sender.
  const agent = await pair({ ...group, sender: 2 });
  const fake = new Uint8Array(await agent.sender.seal('chat', encodeUtf8('x')));
  fake[2] = 0x01; // dom_keyframe
  const refused = await agent.opener.open(fake);
  assert.deepEqual(!refused.ok && refused.reason, 'sender_not_allowed');
  assert.deepEqual(await opener.open(new Uint8Array(5)), { ok: false, reason: 'malformed' });
});
