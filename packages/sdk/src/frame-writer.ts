/**
 * Turns recorded events into DOM frames (PROTOCOL.md, "DOM stream").
 *
 * Events are batched and flushed once per animation frame. A batch that starts with rrweb's
 * Meta + FullSnapshot is a KEYFRAME: a new epoch, compressed on its own. Every other batch is a
 * DELTA of the current epoch, in the protocol's compact batch form (event-batch.ts), compressed
 * against the epoch's rolling dictionary. A keyframe is built a slice at a time
 * (snapshot-slicer.ts: redaction pass, JSON, compression), so sending goes through one promise
 * chain to keep frames in order, and deltas wait until the keyframe they compress against is built.
 * Nothing is queued without bound: when the socket cannot take a frame, deltas are dropped and
 * the caller is asked for a fresh keyframe.
 */
import { compactEventBatch, encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME } from '@samepage/protocol';
import { EventType, type RecordedEvent } from './rrweb-events.ts';
import { compressStandalone, createDeltaCompressor, type DeltaCompressor } from './compression.ts';
import { json } from './safe-json.ts';
import { serializeKeyframe, type ScrubNode } from './snapshot-slicer.ts';

export interface FrameSink {
  /** True when the socket is open and the session is established. */
  canSend(): boolean;
  /** Bytes accepted by the socket but not yet sent. */
  bufferedAmount(): number;
  send(frame: Uint8Array): void;
}

export interface FrameCounters {
  epoch: number;
  seq: number;
}

export interface FrameWriterOptions {
  sink: FrameSink;
  /** The last epoch and seq used in this session (from sessionStorage), so both stay monotonic. */
  counters: FrameCounters;
  onCounters(counters: FrameCounters): void;
  /** Asks the recorder for Meta + FullSnapshot; they come back through push(). */
  requestKeyframe(): void;
  /** Extra events to append at each flush (coalesced pointer and scroll). */
  drainExtra?(): RecordedEvent[];
  /** Runs over each delta's events just before it is encoded (offscreen-deferral.ts holds some back). */
  filterDelta?(events: RecordedEvent[]): RecordedEvent[];
  onError(error: unknown): void;
  /** The redaction pass over a full snapshot's tree, run by the slicer one node at a time. */
  scrubNode?: ScrubNode;
  /** Injected in tests; defaults to requestAnimationFrame with a 50 ms timer fallback. */
  scheduleFlush?(run: () => void): void;
  compressKeyframe?(chunks: readonly Uint8Array[]): Promise<Uint8Array>;
  /** Injected in tests; defaults to the slicer (snapshot-slicer.ts). */
  serializeKeyframe?(events: RecordedEvent[]): Promise<Uint8Array[]>;
}

export interface FrameWriter {
  push(event: RecordedEvent): void;
  /** Ask for a flush at the next animation frame (used by motion capture). */
  schedule(): void;
  flushNow(): void;
  /** Raises epoch and seq to at least these (the server's numbering after a resume). */
  advanceTo(floor: FrameCounters): void;
  /** Resolves when every frame built so far has been handed to the sink. */
  idle(): Promise<void>;
  stop(): void;
}

/** A delta stream that outgrows this (and twice its keyframe) is replaced by a new keyframe. */
export const MIN_DELTA_BYTES_BEFORE_KEYFRAME = 2 * 1024 * 1024;
/** Above this many bytes waiting in the socket we stop feeding it and resync later. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

function defaultScheduleFlush(run: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    if (raf !== undefined) cancelAnimationFrame(raf);
    run();
  };
  // A hidden tab gets no animation frames; the timer keeps the stream moving.
  const timer = setTimeout(once, 50);
  const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(once) : undefined;
}

/**
 * @example
 *   const writer = createFrameWriter({ sink, counters: { epoch: 0, seq: 0 }, onCounters: save,
 *     requestKeyframe: () => recorder.takeFullSnapshot(), onError: report });
 *   recorder emits -> writer.push(event)
 */
export function createFrameWriter(options: FrameWriterOptions): FrameWriter {
  const encoder = new TextEncoder();
  const scheduleFlush = options.scheduleFlush ?? defaultScheduleFlush;
  const compressKeyframe = options.compressKeyframe ?? compressStandalone;
  const serialize = options.serializeKeyframe ?? ((events: RecordedEvent[]) => serializeKeyframe(events, options.scrubNode ? { scrubNode: options.scrubNode } : {}));
  let { epoch, seq } = options.counters;
  let batch: RecordedEvent[] = [];
  let batchIsKeyframe = false;
  let scheduled = false;
  let stopped = false;
  let delta: DeltaCompressor | null = null; // null until a keyframe opens an epoch
  let keyframeBytes = 0;
  let deltaBytes = 0;
  let resyncPending = false;
  let building = 0; // keyframes being built; deltas wait for them
  let chain: Promise<void> = Promise.resolve();

  const enqueueSend = (build: () => Promise<Uint8Array> | Uint8Array): void => {
    chain = chain
      .then(async () => {
        const frame = await build();
        // Re-checked at send time: the socket may have closed while a keyframe compressed.
        if (!stopped && options.sink.canSend()) options.sink.send(frame);
      })
      .catch((error: unknown) => options.onError(error));
  };

  const askForKeyframe = (): void => {
    if (resyncPending || stopped) return;
    resyncPending = true;
    options.requestKeyframe();
  };

  const nextCounters = (newEpoch: boolean): FrameCounters => {
    if (newEpoch) epoch = (epoch + 1) >>> 0;
    seq = (seq + 1) >>> 0;
    const counters = { epoch, seq };
    options.onCounters(counters);
    return counters;
  };

  const writeKeyframe = (events: RecordedEvent[]): void => {
    resyncPending = false;
    delta = null;
    // Not connected: the epoch is lost; the next (re)connect asks for a new keyframe.
    if (!options.sink.canSend()) return;
    const header = { ...nextCounters(true), flags: FLAG_KEYFRAME | FLAG_DEFLATE };
    building += 1;
    enqueueSend(async () => {
      try {
        const chunks = await serialize(events);
        delta = createDeltaCompressor(chunks);
        keyframeBytes = chunks.reduce((n, c) => n + c.byteLength, 0);
        deltaBytes = 0;
        return encodeDomFrame(header, await compressKeyframe(chunks));
      } finally {
        building -= 1;
        if (batch.length) schedule(); // the deltas that waited
      }
    });
  };

  const writeDelta = (events: RecordedEvent[]): void => {
    const sink = options.sink;
    if (!delta || !sink.canSend() || sink.bufferedAmount() > MAX_BUFFERED_BYTES) {
      // The viewer cannot decode a gap in the delta stream: drop the epoch and resync.
      delta = null;
      if (sink.canSend() && sink.bufferedAmount() <= MAX_BUFFERED_BYTES / 2) askForKeyframe();
      return;
    }
    const bytes = encoder.encode(json().stringify(compactEventBatch(events)));
    const header = { ...nextCounters(false), flags: FLAG_DEFLATE };
    const frame = encodeDomFrame(header, delta.compress(bytes));
    enqueueSend(() => frame);
    deltaBytes += bytes.byteLength;
    if (deltaBytes > Math.max(2 * keyframeBytes, MIN_DELTA_BYTES_BEFORE_KEYFRAME)) askForKeyframe();
  };

  const flushNow = (): void => {
    scheduled = false;
    if (stopped) return;
    try {
      // Deltas compress against the keyframe: they wait while one is being built. Extras (held
      // changes released, the latest pointer) stay with their sources meanwhile: a batch that
      // waits may be dropped for a newer keyframe.
      if (building > 0 && !batchIsKeyframe) return;
      const extra = options.drainExtra?.() ?? [];
      if (extra.length) batch = batch.concat(extra);
      const isKeyframe = batchIsKeyframe;
      const events = !isKeyframe && options.filterDelta ? options.filterDelta(batch) : batch;
      batch = [];
      batchIsKeyframe = false;
      if (events.length === 0) return;
      if (isKeyframe) writeKeyframe(events);
      else writeDelta(events);
    } catch (error) {
      options.onError(error);
    }
  };

  const schedule = (): void => {
    if (scheduled || stopped) return;
    scheduled = true;
    scheduleFlush(flushNow);
  };

  return {
    push(event) {
      if (stopped) return;
      if (event.type === EventType.Meta) {
        // A full snapshot starts a new epoch: what came before belongs to the old one (or, while
        // a keyframe is still being built, to an epoch this snapshot replaces: dropped).
        if (building > 0 && !batchIsKeyframe) batch = [];
        else if (batch.length) flushNow();
        batchIsKeyframe = true;
      }
      batch.push(event);
      schedule();
    },
    schedule,
    flushNow,
    advanceTo(floor) {
      epoch = Math.max(epoch, floor.epoch);
      seq = Math.max(seq, floor.seq);
    },
    idle: () => chain,
    stop() {
      stopped = true;
      batch = [];
      delta = null;
    },
  };
}
