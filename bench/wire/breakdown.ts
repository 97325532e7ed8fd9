/**
 * Where the bytes of a customer's stream go. Given the frames a tab sent during the steady
 * workload (tap.ts), splits the wire bytes into WebSocket framing, DOM frame headers, keyframes,
 * deltas and JSON control messages, and splits the events inside the deltas by kind.
 *
 * Compressed bytes cannot be attributed to an event exactly (each byte depends on what came
 * before), so each kind's share is *marginal*: the stream is compressed again offline without
 * that kind and the difference is its cost. Offline compression uses node:zlib with the
 * sender's method (Samepage: one deflate-raw stream per delta with the epoch's dictionary;
 * reference: permessage-deflate, one deflate context per socket with a sync flush per message);
 * `offline_total` shows how close the model is to the measured wire.
 */
import zlib from 'node:zlib';
import { DeltaWindow, DomStreamInflater, compactEventBatch, decodeDomFrameHeader, isKeyframe, parseEventBatch } from '@samepage/protocol';
import { clientFrameOverhead } from '../lib/types.ts';
import type { TappedFrame } from './tap.ts';

type RrwebEvent = { type: number; timestamp: number; data?: Record<string, unknown> };

export interface EventKindBytes {
  /** Events (or mutation records) of this kind. */
  count: number;
  /** Their JSON bytes, uncompressed. */
  json_bytes: number;
  /** Compressed bytes the stream loses when they are left out (marginal cost). */
  marginal_wire_bytes: number;
}

export interface WireBreakdown {
  seconds: number;
  wire_bytes_per_s: number;
  frames_per_s: number;
  /** Bytes per second on the wire, by part. */
  parts_per_s: Record<string, number>;
  /** JSON bytes and marginal compressed cost per second, by event kind. */
  events_per_s: Record<string, EventKindBytes>;
  /** The offline model's total, for comparison with wire_bytes_per_s (framing included). */
  offline_total_per_s: number;
  json_bytes_per_s: number;
  /** Workload ticks per second the page achieved (a busier main thread achieves fewer). */
  ticks_per_s?: number;
  /** bytes/s as the main bench measures it (CDP frames or relay socket). */
  measured_bytes_per_s?: number;
}

const MUTATION_PARTS = ['texts', 'attributes', 'adds', 'removes'] as const;

/** The kind of an rrweb event for the breakdown: mutations split by part. */
function kindOf(event: RrwebEvent): string {
  if (event.type === 3) {
    const source = event.data?.['source'];
    const names: Record<number, string> = { 0: 'mutation', 1: 'mousemove', 2: 'mouse_interaction', 3: 'scroll', 4: 'viewport_resize', 5: 'input', 6: 'touchmove', 7: 'media', 8: 'stylesheet_rule', 9: 'canvas', 10: 'font', 11: 'log', 12: 'drag', 13: 'style_declaration', 14: 'selection', 15: 'adopted_stylesheet', 16: 'custom_element' };
    return names[source as number] ?? `incremental_${String(source)}`;
  }
  if (event.type === 5) return `custom:${String(event.data?.['tag'])}`;
  return ({ 2: 'full_snapshot', 4: 'meta' } as Record<number, string>)[event.type] ?? `type_${event.type}`;
}

/** Event kinds present, with mutations split into their parts (texts, attributes, adds, removes). */
function tally(batches: RrwebEvent[][]): Map<string, { count: number; json: number }> {
  const out = new Map<string, { count: number; json: number }>();
  const add = (k: string, count: number, json: number): void => {
    const t = out.get(k) ?? { count: 0, json: 0 };
    t.count += count;
    t.json += json;
    out.set(k, t);
  };
  for (const batch of batches) {
    for (const event of batch) {
      const kind = kindOf(event);
      if (kind !== 'mutation') {
        add(kind, 1, Buffer.byteLength(JSON.stringify(event)));
        continue;
      }
      let parts = 0;
      for (const part of MUTATION_PARTS) {
        const list = event.data?.[part];
        if (!Array.isArray(list) || list.length === 0) continue;
        const bytes = Buffer.byteLength(JSON.stringify(list));
        parts += bytes;
        add(`mutation.${part}`, list.length, bytes);
      }
      add('mutation.envelope', 1, Buffer.byteLength(JSON.stringify(event)) - parts);
    }
  }
  return out;
}

/** Removes one kind from a batch (for the marginal cost); mutation parts are emptied. */
function without(batch: RrwebEvent[], kind: string): RrwebEvent[] {
  if (kind === 'mutation.envelope') return batch;
  if (kind.startsWith('mutation.')) {
    const part = kind.slice('mutation.'.length);
    return batch.map((e) => (kindOf(e) === 'mutation' && e.data ? { ...e, data: { ...e.data, [part]: [] } } : e));
  }
  return batch.filter((e) => kindOf(e) !== kind);
}

/** Samepage's method: each batch deflated on its own with the epoch's rolling 32 KiB window. */
export function compressLikeSamepage(seed: Buffer | null, batches: Buffer[], level = 6): number[] {
  const window = new DeltaWindow();
  if (seed) window.append(seed);
  return batches.map((bytes) => {
    const dictionary = window.dictionary();
    const out = zlib.deflateRawSync(bytes, { level, ...(dictionary ? { dictionary: Buffer.from(dictionary) } : {}) });
    window.append(bytes);
    return out.length;
  });
}

/** permessage-deflate as `ws` and browsers do it: one deflate context per socket, a sync flush per message, the 4-byte tail dropped. */
export async function compressLikePermessageDeflate(messages: Buffer[], level = zlib.constants.Z_DEFAULT_COMPRESSION): Promise<number[]> {
  const stream = zlib.createDeflateRaw({ level, windowBits: 15, memLevel: 8 });
  let pending = 0;
  stream.on('data', (chunk: Buffer) => void (pending += chunk.length));
  const sizes: number[] = [];
  for (const m of messages) {
    pending = 0;
    stream.write(m);
    await new Promise<void>((resolve) => stream.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    sizes.push(pending - 4);
  }
  stream.destroy();
  return sizes;
}

const perSecond = (n: number, seconds: number): number => Math.round(n / seconds);

function eventKinds(batches: RrwebEvent[][], full: number, recompress: (batches: RrwebEvent[][]) => Promise<number> | number, seconds: number): Promise<Record<string, EventKindBytes>> {
  const kinds = tally(batches);
  return (async () => {
    const out: Record<string, EventKindBytes> = {};
    for (const [kind, t] of [...kinds].sort((a, b) => b[1].json - a[1].json)) {
      const ablated = kind === 'mutation.envelope' ? full : await recompress(batches.map((b) => without(b, kind)));
      out[kind] = { count: perSecond(t.count, seconds), json_bytes: perSecond(t.json, seconds), marginal_wire_bytes: perSecond(full - ablated, seconds) };
    }
    return out;
  })();
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Samepage: binary DOM frames (12-byte header + deflate-raw) and JSON text messages.
 * `frames` is the whole capture from the session's start (the deltas need their keyframe);
 * only frames inside [start, end] are counted.
 */
export async function analyzeSamepage(frames: TappedFrame[], start: number, end: number): Promise<WireBreakdown> {
  const seconds = (end - start) / 1000;
  const inflater = new DomStreamInflater();
  const parts: Record<string, number> = { ws_framing: 0, dom_header: 0, keyframe_payload: 0, delta_payload: 0 };
  const control: Record<string, number> = {};
  const batches: RrwebEvent[][] = [];
  let seed: Buffer | null = null;
  let compact = false;
  let count = 0;
  let json = 0;
  for (const f of frames) {
    const inWindow = f.at >= start && f.at <= end;
    const bytes = f.binary ?? Buffer.from(f.text ?? '');
    if (inWindow) (parts['ws_framing']! += clientFrameOverhead(bytes.length)), (count += 1);
    if (f.text !== null) {
      if (!inWindow) continue;
      let type = 'unknown';
      try {
        type = String((JSON.parse(f.text) as { type?: unknown }).type);
      } catch {
        // counted as unknown
      }
      control[`json:${type}`] = (control[`json:${type}`] ?? 0) + bytes.length;
      continue;
    }
    const header = decodeDomFrameHeader(bytes);
    const result = inflater.inflate(bytes);
    if (!header || !result.ok) continue;
    if (isKeyframe(header)) {
      seed = Buffer.from(result.payload);
      batches.length = 0;
    }
    if (!inWindow) continue;
    parts['dom_header']! += 12;
    parts[isKeyframe(header) ? 'keyframe_payload' : 'delta_payload']! += bytes.length - 12;
    if (!isKeyframe(header)) {
      compact = !Buffer.from(result.payload).toString('utf8').startsWith('[');
      batches.push((parseEventBatch(result.payload) ?? []) as RrwebEvent[]);
      json += result.payload.byteLength;
    }
  }
  // Recompressed the way the tab sent it: compact batches (protocol event-batch.ts) or, before those, plain arrays.
  const encode = (b: RrwebEvent[]): Buffer => Buffer.from(JSON.stringify(compact ? compactEventBatch(b) : b));
  const recompress = (bs: RrwebEvent[][]): number => sum(compressLikeSamepage(seed, bs.map(encode)));
  const full = recompress(batches);
  const events = await eventKinds(batches, full, recompress, seconds);
  const all = { ...parts, ...control };
  return {
    seconds,
    wire_bytes_per_s: perSecond(sum(Object.values(all)), seconds),
    frames_per_s: Math.round((count / seconds) * 10) / 10,
    parts_per_s: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, perSecond(v, seconds)])),
    events_per_s: events,
    offline_total_per_s: perSecond(full + parts['dom_header']! + parts['ws_framing']! + parts['keyframe_payload']! + sum(Object.values(control)), seconds),
    json_bytes_per_s: perSecond(json, seconds),
  };
}

/** The reference: one JSON text message per rrweb event, compressed by permessage-deflate. */
export async function analyzeReference(frames: TappedFrame[], start: number, end: number, measuredWireBytes: number): Promise<WireBreakdown> {
  const seconds = (end - start) / 1000;
  const inWindow = frames.filter((f) => f.at >= start && f.at <= end && f.text !== null);
  const events = inWindow.map((f) => JSON.parse(f.text!) as RrwebEvent);
  const messages = inWindow.map((f) => Buffer.from(f.text!));
  const sizes = await compressLikePermessageDeflate(messages);
  // Client frames carry RSV1 and a mask; lengths are of the compressed payload.
  const framing = sum(sizes.map((n) => clientFrameOverhead(n)));
  const full = sum(sizes);
  const recompress = async (bs: RrwebEvent[][]): Promise<number> => {
    const flat = bs.flat();
    return sum(await compressLikePermessageDeflate(flat.map((e) => Buffer.from(JSON.stringify(e)))));
  };
  // One "batch" per message, so removing a kind removes its messages (and their framing is ignored).
  const kinds = await eventKinds(events.map((e) => [e]), full, recompress, seconds);
  return {
    seconds,
    wire_bytes_per_s: perSecond(measuredWireBytes, seconds),
    frames_per_s: Math.round((messages.length / seconds) * 10) / 10,
    parts_per_s: { ws_framing: perSecond(framing, seconds), deflated_messages: perSecond(full, seconds) },
    events_per_s: kinds,
    offline_total_per_s: perSecond(full + framing, seconds),
    json_bytes_per_s: perSecond(sum(messages.map((m) => m.length)), seconds),
  };
}
