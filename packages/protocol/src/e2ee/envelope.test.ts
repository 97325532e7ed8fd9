import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'fflate';
import { encodeUtf8, randomBytes } from './bytes.ts';
import { E2EE_HEADER_BYTES, E2EE_TO_GROUP, E2EE_TYPES, FLAG_E2EE_DEFLATE, decodeE2eeHeader } from './envelope-header.ts';
import { MAX_SEQ, computeNonce, openEnvelope, sealEnvelope } from './envelope.ts';
import { importAesKey } from './kdf.ts';

const SESSION = 'sess-envelope';
const fields = { type: 'dom_delta' as const, epoch: 3, sender: 0, to: E2EE_TO_GROUP, seq: 9 };

async function makeKey() {
  const raw = randomBytes(32);
  return { raw, key: await importAesKey(raw), salt: randomBytes(12) };
}

test('nonce = salt XOR seq as a 96-bit big-endian number', () => {
  const salt = new Uint8Array(12).fill(0xaa);
  assert.deepEqual([...computeNonce(salt, 0)], [...salt]);
  const n = computeNonce(salt, 0x01020304);
  assert.deepEqual([...n.subarray(0, 8)], [...salt.subarray(0, 8)]);
  assert.deepEqual([...n.subarray(8)], [0xaa ^ 1, 0xaa ^ 2, 0xaa ^ 3, 0xaa ^ 4]);
  assert.throws(() => computeNonce(salt, MAX_SEQ + 1));
  assert.throws(() => computeNonce(salt, -1));
  assert.throws(() => computeNonce(new Uint8Array(11), 1));
});

test('seal then open returns the plaintext, with and without deflate, and with a preset dictionary', async () => {
  const { key, salt } = await makeKey();
  const text = encodeUtf8('<div class="row">hello</div>'.repeat(500));
  const plain = await sealEnvelope(key, salt, SESSION, fields, text);
  assert.equal(plain.byteLength, E2EE_HEADER_BYTES + text.byteLength + 16);
  const opened = await openEnvelope(key, salt, SESSION, plain);
  assert.ok(opened.ok);
  assert.deepEqual(opened.plaintext, text);

  const deflated = await sealEnvelope(key, salt, SESSION, fields, text, { deflate: true });
  assert.ok(deflated.byteLength < text.byteLength / 10, 'compressed before encryption (ciphertext does not compress)');
  assert.equal((decodeE2eeHeader(deflated)!.flags & FLAG_E2EE_DEFLATE) !== 0, true);
  const inflated = await openEnvelope(key, salt, SESSION, deflated);
  assert.ok(inflated.ok);
  assert.deepEqual(inflated.plaintext, text);

  const dictionary = encodeUtf8('<div class="row">hello</div> and some shared context');
  const withDict = await sealEnvelope(key, salt, SESSION, fields, encodeUtf8('<div class="row">hello</div>'), { deflate: true, dictionary });
  const good = await openEnvelope(key, salt, SESSION, withDict, { dictionary });
  assert.ok(good.ok);
  assert.equal(new TextDecoder().decode(good.plaintext), '<div class="row">hello</div>');
});

test('open refuses a wrong key, a wrong salt and a wrong session id', async () => {
  const a = await makeKey();
  const b = await makeKey();
  const frame = await sealEnvelope(a.key, a.salt, SESSION, fields, encodeUtf8('secret'));
  assert.deepEqual(await openEnvelope(b.key, a.salt, SESSION, frame), { ok: false, reason: 'auth_failed', header: decodeE2eeHeader(frame) });
  assert.equal((await openEnvelope(a.key, b.salt, SESSION, frame)).ok, false);
  assert.equal((await openEnvelope(a.key, a.salt, 'another-session', frame)).ok, false);
});

test('a flipped bit anywhere in the header or the body is refused', async () => {
  const { key, salt } = await makeKey();
  const frame = await sealEnvelope(key, salt, SESSION, fields, encodeUtf8('pay 10 EUR'));
  assert.ok((await openEnvelope(key, salt, SESSION, frame)).ok);
  for (let bit = 0; bit < frame.byteLength * 8; bit++) {
    const copy = new Uint8Array(frame);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    const result = await openEnvelope(key, salt, SESSION, copy);
    assert.equal(result.ok, false, `bit ${bit} flipped and the frame still opened`);
  }
});

test('a swapped type is refused: the type is authenticated data', async () => {
  const { key, salt } = await makeKey();
  const frame = await sealEnvelope(key, salt, SESSION, { ...fields, type: 'chat' }, encodeUtf8('hi'));
  const swapped = new Uint8Array(frame);
  swapped[2] = E2EE_TYPES.dom_delta;
  const result = await openEnvelope(key, salt, SESSION, swapped);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.reason, 'auth_failed');
});

test('open refuses truncated, padded and cleartext frames without throwing', async () => {
  const { key, salt } = await makeKey();
  const frame = await sealEnvelope(key, salt, SESSION, fields, encodeUtf8('abc'));
  assert.equal((await openEnvelope(key, salt, SESSION, frame.subarray(0, frame.byteLength - 1))).ok, false);
  assert.equal((await openEnvelope(key, salt, SESSION, new Uint8Array([...frame, 0]))).ok, false);
  assert.equal((await openEnvelope(key, salt, SESSION, new Uint8Array(3))).ok, false);
  const noFlag = new Uint8Array(frame);
  noFlag[3] = 0;
  assert.equal((await openEnvelope(key, salt, SESSION, noFlag)).ok, false);
});

test('an authenticated body that inflates past the limit or is not deflate is refused', async () => {
  const { key, salt } = await makeKey();
  const bomb = await sealEnvelope(key, salt, SESSION, fields, new Uint8Array(1_000_000), { deflate: true });
  const refused = await openEnvelope(key, salt, SESSION, bomb, { maxPlaintextBytes: 100_000 });
  assert.deepEqual(!refused.ok && refused.reason, 'inflate_failed');
  assert.ok((await openEnvelope(key, salt, SESSION, bomb)).ok, 'the default limit lets a real 1 MB page through');

  // Deflate flag set, body not deflate: sealed by hand with the flag but raw bytes.
  const fake = await sealEnvelope(key, salt, SESSION, fields, deflateSync(encodeUtf8('x'.repeat(100))).subarray(0, 3), { deflate: false });
  const flagged = new Uint8Array(fake);
  flagged[3]! |= FLAG_E2EE_DEFLATE;
  assert.equal((await openEnvelope(key, salt, SESSION, flagged)).ok, false, 'the flag is authenticated too');
});

test('a body the caller deflated itself is sealed with the flag and can be opened without inflating', async () => {
  const { key, salt } = await makeKey();
  const text = encodeUtf8('abcabcabc'.repeat(100));
  const deflated = deflateSync(text);
  const frame = await sealEnvelope(key, salt, SESSION, fields, deflated, { alreadyDeflated: true });
  assert.equal(decodeE2eeHeader(frame)!.flags & FLAG_E2EE_DEFLATE, FLAG_E2EE_DEFLATE);
  const raw = await openEnvelope(key, salt, SESSION, frame, { inflate: false });
  assert.ok(raw.ok);
  assert.deepEqual(raw.plaintext, deflated);
  const inflated = await openEnvelope(key, salt, SESSION, frame);
  assert.ok(inflated.ok);
  assert.deepEqual(inflated.plaintext, text);
});
