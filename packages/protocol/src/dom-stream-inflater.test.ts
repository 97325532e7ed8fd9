import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { deflateSync } from 'fflate';
import { DeltaWindow, DELTA_DICTIONARY_BYTES } from './delta-window.ts';
import { DomStreamInflater } from './dom-stream-inflater.ts';
import { encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME } from './dom-frame.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

function sender() {
  let window = new DeltaWindow();
  let seq = 0;
  let epoch = 0;
  return {
    keyframe(text: string) {
      const bytes = enc.encode(text);
      window = new DeltaWindow();
      window.append(bytes);
      return encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: ++epoch, seq: ++seq }, deflateSync(bytes));
    },
    delta(text: string) {
      const bytes = enc.encode(text);
      const frame = encodeDomFrame({ flags: FLAG_DEFLATE, epoch, seq: ++seq }, deflateSync(bytes, { level: 6, dictionary: window.dictionary() }));
      window.append(bytes);
      return frame;
    },
  };
}

test('thousands of deltas decode on arrival, in fflate and in zlib, and compress against the window', () => {
  const s = sender();
  const viewer = new DomStreamInflater();
  const kf = JSON.stringify({ big: 'x'.repeat(50_000) });
  assert.equal(dec.decode((viewer.inflate(s.keyframe(kf)) as { payload: Uint8Array }).payload), kf);
  const zwindow = new DeltaWindow();
  zwindow.append(enc.encode(kf));
  let raw = 0;
  let wire = 0;
  for (let i = 0; i < 3000; i++) {
    const text = JSON.stringify(Array.from({ length: 1 + (i % 9) }, (_, k) => ({ type: 3, data: { texts: [{ id: (i * 7 + k) % 900, value: `row ${(i * 13 + k) % 300} ${Math.random()}` }] } })));
    const frame = s.delta(text);
    const result = viewer.inflate(frame);
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(dec.decode(result.payload), text);
    const z = zlib.inflateRawSync(frame.subarray(12), { dictionary: zwindow.dictionary() });
    assert.equal(z.toString(), text, 'zlib agrees: the format is plain deflate-raw with a preset dictionary');
    zwindow.append(enc.encode(text));
    raw += text.length;
    wire += frame.byteLength;
  }
  assert.ok(wire < raw / 2, `the window helps compression (${wire} of ${raw})`);
});

test('a gap, a wrong epoch or a delta before any keyframe loses sync until the next keyframe', () => {
  const s = sender();
  const viewer = new DomStreamInflater();
  assert.equal(viewer.inflate(s.delta('[1]')).ok, false);
  assert.equal(viewer.inflate(s.keyframe('[0]')).ok, true);
  s.delta('[2]');
  assert.equal(viewer.inflate(s.delta('[3]')).ok, false, 'a skipped delta is a gap');
  assert.equal(viewer.inflate(s.delta('[4]')).ok, false, 'still out of sync');
  assert.equal(viewer.inflate(s.keyframe('[5]')).ok, true);
  assert.equal(viewer.inflate(s.delta('[6]')).ok, true);
});

test('the window keeps the last 32 KiB in order', () => {
  const w = new DeltaWindow();
  assert.equal(w.dictionary(), undefined);
  w.append(new Uint8Array(DELTA_DICTIONARY_BYTES).fill(1));
  w.append(new Uint8Array([2, 3]));
  const d = w.dictionary()!;
  assert.equal(d.byteLength, DELTA_DICTIONARY_BYTES);
  assert.deepEqual([...d.subarray(-3)], [1, 2, 3]);
});
