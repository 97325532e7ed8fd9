import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeUtf8, randomBytes, toHex } from './bytes.ts';
import { E2EE_TO_GROUP, decodeE2eeHeader } from './envelope-header.ts';
import { MAX_SEQ, computeNonce } from './envelope.ts';
import { E2eeSealError, createFrameSender } from './frame-sender.ts';
import { createFrameOpener } from './frame-opener.ts';

const SESSION = 'sess-sender';
const material = () => ({ key: randomBytes(32), salt: randomBytes(12) });
const group = { sessionId: SESSION, epoch: 1, sender: 0, to: E2EE_TO_GROUP };

test('a sender numbers its frames 0, 1, 2 … even when seals run concurrently', async () => {
  const sender = await createFrameSender(material(), group);
  const frames = await Promise.all(Array.from({ length: 50 }, (_, i) => sender.seal('dom_delta', encodeUtf8(`delta ${i}`))));
  const seqs = frames.map((f) => decodeE2eeHeader(f)!.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => i));
  assert.equal(sender.nextSeq, 50);
});

test('a sender refuses to wrap its counter around: the last seq is 2^32 - 1, then it stops', async () => {
  const m = material();
  const sender = await createFrameSender(m, group, MAX_SEQ - 1);
  const opener = await createFrameOpener(m, group);
  await sender.seal('dom_delta', encodeUtf8('a'));
  const last = await sender.seal('dom_delta', encodeUtf8('b'));
  assert.equal(decodeE2eeHeader(last)!.seq, MAX_SEQ);
  assert.ok((await opener.open(last)).ok);
  assert.equal(sender.nextSeq, null);
  await assert.rejects(sender.seal('dom_delta', encodeUtf8('c')), (e: unknown) => e instanceof E2eeSealError && e.reason === 'exhausted');
  await assert.rejects(sender.seal('dom_delta', encodeUtf8('d')), E2eeSealError, 'and stays stopped');
});

test('a sender refuses types its key may not carry', async () => {
  const customer = await createFrameSender(material(), group);
  await assert.rejects(customer.seal('ctl', encodeUtf8('x')), (e: unknown) => e instanceof E2eeSealError && e.reason === 'type_not_allowed');
  await assert.rejects(customer.seal('pair', encodeUtf8('x')), E2eeSealError);
  const agent = await createFrameSender(material(), { ...group, sender: 4 });
  await assert.rejects(agent.seal('dom_keyframe', encodeUtf8('x')), E2eeSealError, 'only the customer sends the DOM');
  assert.ok(await agent.seal('chat', encodeUtf8('hello')));
  const pairwise = await createFrameSender(material(), { ...group, to: 4 });
  await assert.rejects(pairwise.seal('chat', encodeUtf8('x')), E2eeSealError, 'group types never use a pairwise key');
  assert.ok(await pairwise.seal('key', randomBytes(32)));
});

test('one sender never produces the same nonce twice', async () => {
  const m = material();
  const sender = await createFrameSender(m, group);
  const nonces = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const frame = await sender.seal('dom_delta', encodeUtf8('x'));
    nonces.add(toHex(computeNonce(m.salt, decodeE2eeHeader(frame)!.seq)));
  }
  assert.equal(nonces.size, 500);
});
