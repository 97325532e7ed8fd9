import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomStreamInflater, parseEventBatch, FLAG_DEFLATE, FLAG_KEYFRAME, type DomFrameHeader } from '@samepage/protocol';
import { createFrameWriter, type FrameCounters } from './frame-writer.ts';
import { compressStandalone } from './compression.ts';
import type { RecordedEvent } from './rrweb-events.ts';

const meta = (): RecordedEvent => ({ type: 4, data: { href: 'https://shop.test/', width: 800, height: 600 }, timestamp: 1 });
const full = (text: string): RecordedEvent => ({ type: 2, data: { node: { type: 0, id: 1, childNodes: [], text } }, timestamp: 2 });
const mutation = (text: string): RecordedEvent => ({ type: 3, data: { source: 0, texts: [{ id: 5, value: text }], attributes: [], removes: [], adds: [] }, timestamp: 3 });

/** A viewer as PROTOCOL.md describes it: inflate the keyframe alone, then every delta of its epoch in order. */
function createViewer() {
  const inflater = new DomStreamInflater();
  const frames: { header: DomFrameHeader; events: RecordedEvent[] }[] = [];
  return {
    frames,
    receive(frame: Uint8Array) {
      const result = inflater.inflate(frame);
      assert.ok(result.ok, `frame decodes on arrival: ${result.ok ? '' : result.reason}`);
      const events = parseEventBatch(result.payload);
      assert.ok(events, 'the payload is an event batch');
      frames.push({ header: result.header, events: events as RecordedEvent[] });
    },
  };
}

function setup(options: { open?: boolean; counters?: FrameCounters; compressKeyframe?: (chunks: readonly Uint8Array[]) => Promise<Uint8Array> } = {}) {
  const viewer = createViewer();
  const sink = { open: options.open ?? true, buffered: 0 };
  let run: (() => void) | null = null;
  const saved: FrameCounters[] = [];
  let keyframeRequests = 0;
  const writer = createFrameWriter({
    sink: { canSend: () => sink.open, bufferedAmount: () => sink.buffered, send: (f) => viewer.receive(f) },
    counters: options.counters ?? { epoch: 0, seq: 0 },
    onCounters: (c) => saved.push(c),
    requestKeyframe: () => void keyframeRequests++,
    onError: (e) => assert.fail(String(e)),
    scheduleFlush: (r) => void (run = r),
    ...(options.compressKeyframe ? { compressKeyframe: options.compressKeyframe } : {}),
  });
  // One animation frame, and the ones asked for while a keyframe was being built.
  const frame = async () => {
    for (let i = 0; i < 5 && run; i++) {
      const r = run;
      run = null;
      r();
      await writer.idle();
    }
  };
  return { writer, viewer, sink, saved, frame, keyframeRequests: () => keyframeRequests };
}

describe('frame writer', () => {
  test('a keyframe then deltas of one deflate stream, each decodable as soon as it arrives', async () => {
    const { writer, viewer, frame } = setup();
    writer.push(meta());
    writer.push(full('page'));
    await frame();
    for (let i = 0; i < 5; i++) {
      writer.push(mutation(`change ${i} `.repeat(i + 1)));
      await frame();
    }
    assert.equal(viewer.frames.length, 6);
    const [key, ...deltas] = viewer.frames;
    assert.deepEqual(key?.header, { flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 1 });
    assert.deepEqual(key?.events.map((e) => e.type), [4, 2]);
    deltas.forEach((d, i) => {
      assert.deepEqual(d.header, { flags: FLAG_DEFLATE, epoch: 1, seq: i + 2 });
      assert.deepEqual(d.events, [mutation(`change ${i} `.repeat(i + 1))]);
    });
  });

  test('one batch per animation frame', async () => {
    const { writer, viewer, frame } = setup();
    writer.push(meta());
    writer.push(full('page'));
    await frame();
    writer.push(mutation('a'));
    writer.push(mutation('b'));
    await frame();
    assert.equal(viewer.frames.length, 2);
    assert.equal(viewer.frames[1]?.events.length, 2);
  });

  test('a full snapshot starts a new epoch; events before it go out in the old epoch', async () => {
    const { writer, viewer, frame } = setup();
    writer.push(meta());
    writer.push(full('one'));
    await frame();
    writer.push(mutation('late change'));
    writer.push(meta());
    writer.push(full('two'));
    await frame();
    assert.deepEqual(
      viewer.frames.map((f) => [f.header.epoch, f.header.seq, f.header.flags]),
      [[1, 1, 3], [1, 2, 2], [2, 3, 3]],
    );
    assert.deepEqual(viewer.frames[1]?.events, [mutation('late change')]);
  });

  test('frames stay in order while a keyframe compresses slowly', async () => {
    const slow = async (chunks: readonly Uint8Array[]) => {
      await new Promise((r) => setTimeout(r, 30));
      return compressStandalone(chunks);
    };
    const { writer, viewer, frame } = setup({ compressKeyframe: slow });
    writer.push(meta());
    writer.push(full('page'));
    writer.flushNow();
    writer.push(mutation('right after'));
    await frame();
    assert.deepEqual(viewer.frames.map((f) => f.header.seq), [1, 2]);
    assert.deepEqual(viewer.frames[1]?.events, [mutation('right after')], 'the delta waited for its keyframe and decodes against it');
  });

  test('a new snapshot while the previous keyframe is still being built replaces the deltas that waited', async () => {
    const slow = async (chunks: readonly Uint8Array[]) => {
      await new Promise((r) => setTimeout(r, 30));
      return compressStandalone(chunks);
    };
    const { writer, viewer, frame } = setup({ compressKeyframe: slow });
    writer.push(meta());
    writer.push(full('first'));
    writer.flushNow();
    writer.push(mutation('superseded'));
    writer.push(meta());
    writer.push(full('second'));
    await frame();
    assert.deepEqual(viewer.frames.map((f) => [f.header.epoch, f.header.seq, f.events.length]), [[1, 1, 2], [2, 2, 2]]);
  });

  test('epoch and seq continue from the stored counters (page load in the same tab)', async () => {
    const { writer, viewer, saved, frame } = setup({ counters: { epoch: 7, seq: 41 } });
    writer.push(meta());
    writer.push(full('page'));
    await frame();
    writer.push(mutation('x'));
    await frame();
    assert.deepEqual(viewer.frames.map((f) => [f.header.epoch, f.header.seq]), [[8, 42], [8, 43]]);
    assert.deepEqual(saved.at(-1), { epoch: 8, seq: 43 });
  });

  test('while the socket is closed nothing is queued; after it reopens a delta asks for a keyframe instead', async () => {
    const { writer, viewer, sink, frame, keyframeRequests } = setup();
    writer.push(meta());
    writer.push(full('page'));
    await frame();
    sink.open = false;
    for (let i = 0; i < 3; i++) {
      writer.push(mutation(`lost ${i}`));
      await frame();
    }
    assert.equal(viewer.frames.length, 1);
    assert.equal(keyframeRequests(), 0);
    sink.open = true;
    writer.push(mutation('after reopen'));
    await frame();
    assert.equal(viewer.frames.length, 1, 'no delta without its epoch');
    assert.equal(keyframeRequests(), 1);
    writer.push(meta());
    writer.push(full('fresh'));
    await frame();
    assert.deepEqual(viewer.frames.map((f) => f.header.epoch), [1, 2]);
  });

  test('a slow socket (large bufferedAmount) drops deltas rather than buffering them', async () => {
    const { writer, viewer, sink, frame } = setup();
    writer.push(meta());
    writer.push(full('page'));
    await frame();
    sink.buffered = 64 * 1024 * 1024;
    writer.push(mutation('dropped'));
    await frame();
    assert.equal(viewer.frames.length, 1);
  });

  test('deltas that outgrow max(2x keyframe, 2 MB) ask for a new keyframe', async () => {
    const { writer, frame, keyframeRequests } = setup();
    writer.push(meta());
    writer.push(full('small page'));
    await frame();
    const big = 'x'.repeat(600 * 1024);
    for (let i = 0; i < 3; i++) {
      writer.push(mutation(big));
      await frame();
    }
    assert.equal(keyframeRequests(), 0);
    writer.push(mutation(big));
    await frame();
    assert.equal(keyframeRequests(), 1);
  });
});
