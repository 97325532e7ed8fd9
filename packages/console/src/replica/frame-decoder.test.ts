import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { deflateSync } from 'fflate';
import { DeltaWindow, FLAG_DEFLATE, FLAG_KEYFRAME, encodeDomFrame } from '@samepage/protocol';
import { FrameDecoder, type FrameOutcome } from './frame-decoder.ts';

const encoder = new TextEncoder();

function json(events: unknown[]): Uint8Array {
  return encoder.encode(JSON.stringify(events));
}

/**
 * Mirrors the SDK: a keyframe compressed alone, then each delta compressed alone with the
 * epoch's rolling window as preset dictionary. node:zlib is the reference encoder.
 */
function createSender(epoch: number, firstSeq: number) {
  let seq = firstSeq;
  const window = new DeltaWindow();
  return {
    keyframe(events: unknown[]): Uint8Array {
      const bytes = json(events);
      window.append(bytes);
      return encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch, seq: seq++ }, deflateSync(bytes));
    },
    async delta(events: unknown[]): Promise<Uint8Array> {
      const bytes = json(events);
      const dictionary = window.dictionary();
      const body = zlib.deflateRawSync(bytes, { level: 6, ...(dictionary ? { dictionary } : {}) });
      window.append(bytes);
      return encodeDomFrame({ flags: FLAG_DEFLATE, epoch, seq: seq++ }, body);
    },
  };
}

const meta = { type: 4, timestamp: 1, data: { href: 'https://shop.example/', width: 1280, height: 720 } };
const full = { type: 2, timestamp: 2, data: { node: { type: 0, childNodes: [], id: 1 }, initialOffset: { top: 0, left: 0 } } };
const scroll = (y: number) => ({ type: 3, timestamp: 10 + y, data: { source: 3, id: 1, x: 0, y } });

function expectKind<K extends FrameOutcome['kind']>(outcome: FrameOutcome, kind: K): Extract<FrameOutcome, { kind: K }> {
  assert.equal(outcome.kind, kind, JSON.stringify(outcome));
  return outcome as Extract<FrameOutcome, { kind: K }>;
}

test('a keyframe is inflated on its own and yields its rrweb events', () => {
  const decoder = new FrameDecoder();
  const out = expectKind(decoder.decode(createSender(7, 1).keyframe([meta, full])), 'keyframe');
  assert.equal(out.epoch, 7);
  assert.equal(out.seq, 1);
  assert.deepEqual(out.events, [meta, full]);
  assert.deepEqual(decoder.stats(), { epoch: 7, seq: 1, events: 2, keyframes: 1, resyncs: 0 });
});

test('the deltas of an epoch are inflated as one stream, each complete after its frame', async () => {
  const sender = createSender(3, 10);
  const decoder = new FrameDecoder();
  expectKind(decoder.decode(sender.keyframe([meta, full])), 'keyframe');
  for (let i = 1; i <= 50; i++) {
    const out = expectKind(decoder.decode(await sender.delta([scroll(i), scroll(i + 1000)])), 'delta');
    assert.equal(out.seq, 10 + i);
    assert.deepEqual(out.events, [scroll(i), scroll(i + 1000)]);
  }
  assert.equal(decoder.stats().events, 2 + 100);
});

test('later deltas compress against earlier ones (shared dictionary across frames)', async () => {
  const sender = createSender(1, 1);
  const decoder = new FrameDecoder();
  decoder.decode(sender.keyframe([meta, full]));
  const big = Array.from({ length: 20 }, (_, i) => ({ type: 3, timestamp: i, data: { source: 0, texts: [{ id: i, value: 'the same long text again and again' }] } }));
  const first = await sender.delta(big);
  const second = await sender.delta(big);
  assert.ok(second.byteLength < first.byteLength / 2, `${second.byteLength} vs ${first.byteLength}`);
  expectKind(decoder.decode(first), 'delta');
  assert.deepEqual(expectKind(decoder.decode(second), 'delta').events, big);
});

test('a gap in seq loses sync, asks for one keyframe, and drops deltas until it arrives', async () => {
  const sender = createSender(2, 1);
  const decoder = new FrameDecoder();
  decoder.decode(sender.keyframe([meta, full]));
  expectKind(decoder.decode(await sender.delta([scroll(1)])), 'delta');
  await sender.delta([scroll(2)]); // lost on the way
  const lost = expectKind(decoder.decode(await sender.delta([scroll(3)])), 'lost_sync');
  assert.equal(lost.requestKeyframe, true);
  assert.match(lost.reason, /gap/);
  assert.equal(expectKind(decoder.decode(await sender.delta([scroll(4)])), 'lost_sync').requestKeyframe, false);

  const next = createSender(3, 6);
  expectKind(decoder.decode(next.keyframe([meta, full])), 'keyframe');
  assert.deepEqual(expectKind(decoder.decode(await next.delta([scroll(5)])), 'delta').events, [scroll(5)]);
  assert.equal(decoder.stats().resyncs, 1);
});

test('a delta of another epoch, or before any keyframe, is out of sync', async () => {
  const decoder = new FrameDecoder();
  const sender = createSender(5, 1);
  sender.keyframe([meta, full]);
  expectKind(decoder.decode(await sender.delta([scroll(1)])), 'lost_sync');

  const a = createSender(8, 1);
  decoder.decode(a.keyframe([meta, full]));
  const b = createSender(9, 2);
  assert.match(expectKind(decoder.decode(await b.delta([scroll(1)])), 'lost_sync').reason, /epoch 9/);
});

test('deltas of every size stay decodable frame by frame', async () => {
  const sender = createSender(1, 1);
  const decoder = new FrameDecoder();
  decoder.decode(sender.keyframe([meta, full]));
  for (let i = 0; i < 150; i++) {
    const text = 'abcdefghij'.repeat((i * 37) % 400) + String(i);
    const events = [{ type: 3, timestamp: i, data: { source: 0, texts: [{ id: i, value: text }] } }];
    assert.deepEqual(expectKind(decoder.decode(await sender.delta(events)), 'delta').events, events);
  }
});

test('a corrupt keyframe or a frame that is not a DOM frame is reported, never thrown', () => {
  const decoder = new FrameDecoder();
  const corrupt = encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 1 }, new Uint8Array([1, 2, 3, 4]));
  expectKind(decoder.decode(corrupt), 'lost_sync');
  expectKind(decoder.decode(new Uint8Array([9, 9, 9])), 'invalid');
});

test('an uncompressed keyframe (no DEFLATE flag) is read as plain JSON', () => {
  const decoder = new FrameDecoder();
  const frame = encodeDomFrame({ flags: FLAG_KEYFRAME, epoch: 4, seq: 1 }, json([meta]));
  assert.deepEqual(expectKind(decoder.decode(frame), 'keyframe').events, [meta]);
});

test('a keyframe compressed by the native CompressionStream (deflate-raw) is read', async () => {
  const stream = new Blob([json([meta, full]) as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const compressed = new Uint8Array(await new Response(stream).arrayBuffer());
  const frame = encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 1 }, compressed);
  assert.deepEqual(expectKind(new FrameDecoder().decode(frame), 'keyframe').events, [meta, full]);
});
