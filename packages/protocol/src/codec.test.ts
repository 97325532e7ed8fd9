import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeClientMessage, decodeServerMessage, encodeMessage } from './codec.ts';
import { decodeDomFrameHeader, encodeDomFrame, domFramePayload, FLAG_DEFLATE, FLAG_KEYFRAME } from './dom-frame.ts';
import { ERRORS } from './errors.ts';
import { isFatalClose } from './fatal-close.ts';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from './messages.ts';

test('a valid client message round-trips through encode and decode', () => {
  const msg = { type: 'host_hello', v: PROTOCOL_VERSION, siteKey: 'pk_1', page: { url: 'https://a.test/', title: 'A' } } as const;
  const decoded = decodeClientMessage(encodeMessage(msg));
  assert.deepEqual(decoded, { ok: true, value: msg });
});

test('decoding never throws, and names the problem', () => {
  const inputs = ['', '{', 'null', '[]', '42', '"x"', '{"type":"nope"}', '{"type":"join"}', '{"type":"join","code":5}', '\u0000\uffff', '{"__proto__":{"x":1},"type":"leave"}'];
  for (const raw of inputs) {
    const result = decodeClientMessage(raw);
    if (raw.includes('leave')) continue;
    assert.equal(result.ok, false, raw);
    if (!result.ok) assert.equal(result.code, 'bad_frame');
  }
});

test('oversize text frames are refused as frame_too_large', () => {
  const result = decodeClientMessage(JSON.stringify({ type: 'join', code: 'x'.repeat(MAX_MESSAGE_BYTES) }));
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.code, 'frame_too_large');
});

test('random bytes never make the decoders throw', () => {
  for (let i = 0; i < 2000; i++) {
    const len = Math.floor(Math.random() * 64);
    const raw = Array.from({ length: len }, () => String.fromCharCode(Math.floor(Math.random() * 128))).join('');
    assert.doesNotThrow(() => decodeClientMessage(raw));
    assert.doesNotThrow(() => decodeServerMessage(raw));
    assert.doesNotThrow(() => decodeDomFrameHeader(new TextEncoder().encode(raw)));
  }
});

test('server messages validate their fields, e.g. a session code is 6 digits', () => {
  const bad = decodeServerMessage(JSON.stringify({ type: 'session_created', sessionId: 's', code: '12345', expiresAt: 1, resumeToken: 't' }));
  assert.equal(bad.ok, false);
  const good = decodeServerMessage(JSON.stringify({ type: 'session_created', sessionId: 's', code: '012345', expiresAt: 1, resumeToken: 't' }));
  assert.equal(good.ok, true);
});

test('DOM frame header round-trips and rejects foreign bytes', () => {
  const payload = new Uint8Array([1, 2, 3]);
  const frame = encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 7, seq: 4_000_000_000 }, payload);
  assert.deepEqual(decodeDomFrameHeader(frame), { flags: 3, epoch: 7, seq: 4_000_000_000 });
  assert.deepEqual([...domFramePayload(frame)], [1, 2, 3]);
  assert.equal(decodeDomFrameHeader(frame.subarray(0, 5)), null);
  const wrongKind = frame.slice();
  wrongKind[0] = 9;
  assert.equal(decodeDomFrameHeader(wrongKind), null);
  const unknownFlag = frame.slice();
  unknownFlag[1] = 0x80;
  assert.equal(decodeDomFrameHeader(unknownFlag), null);
});

test('fatal close codes tell clients not to reconnect', () => {
  assert.equal(isFatalClose(ERRORS.unsupported_version.close), true);
  assert.equal(isFatalClose(ERRORS.server_shutting_down.close), false);
  assert.equal(isFatalClose(1006), false);
});
