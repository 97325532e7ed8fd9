import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { encodeUtf8 } from './bytes.ts';
import { deflateBody, inflateBounded } from './compress.ts';

test('deflateBody writes plain deflate-raw (zlib inflates it), natively or through fflate', async () => {
  const text = encodeUtf8('{"type":3,"data":{"source":0}}'.repeat(2000));
  const out = await deflateBody(text);
  assert.equal(zlib.inflateRawSync(out).toString(), new TextDecoder().decode(text));
  const dictionary = encodeUtf8('{"type":3,"data":{"source":0}}');
  const withDict = await deflateBody(text.subarray(0, 60), dictionary);
  assert.equal(zlib.inflateRawSync(withDict, { dictionary }).toString(), new TextDecoder().decode(text.subarray(0, 60)));
});

test('inflateBounded returns null on corrupt, truncated or oversized input and never throws', async () => {
  const text = encodeUtf8('abc'.repeat(10_000));
  const out = await deflateBody(text);
  assert.deepEqual(inflateBounded(out, 30_000), text);
  assert.equal(inflateBounded(out, 29_999), null, 'one byte over the limit');
  assert.equal(inflateBounded(out.subarray(0, out.byteLength - 2), 1e6), null, 'truncated');
  assert.equal(inflateBounded(new Uint8Array([0xff, 0xff, 0xff, 0xff]), 1e6), null, 'not deflate');
  assert.deepEqual(inflateBounded(await deflateBody(new Uint8Array(0)), 10), new Uint8Array(0));
});
