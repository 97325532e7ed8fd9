/**
 * Turns a recording's raw DOM frames into rrweb events (rrweb 2.x format), the open format
 * other tools read: each frame inflated with the protocol's DomStreamInflater, the events of
 * every frame concatenated in order. A keyframe of a later epoch (a page load, a resync) starts
 * with Meta + FullSnapshot, which rrweb players handle. Chat, control and navigation become
 * Custom events (type 5, tags `samepage/chat`, `samepage/control`, `samepage/navigation`).
 */
import { DomStreamInflater, parseEventBatch } from '@samepage/protocol';
import type { RecordedFrame } from './recording-store.ts';

export interface RrwebEvent {
  type: number;
  data: unknown;
  timestamp: number;
  [key: string]: unknown;
}

export type MarkerKind = 'chat' | 'control' | 'navigation';

export interface RecordingMarker {
  kind: MarkerKind;
  at: number;
  label: string;
  detail: Record<string, unknown>;
}

const META = 4;
const CUSTOM = 5;

/**
 * The events of the frames, in order, on the server's clock: the customer's clock may be off,
 * so every timestamp is shifted by one offset (the first frame's arrival time minus its last
 * event's time), and kept from going backwards. Frames that do not decode are skipped (the
 * inflater resynchronises at the next keyframe); `skipped` counts them.
 */
export function framesToEvents(frames: readonly RecordedFrame[]): { events: RrwebEvent[]; skipped: number } {
  const inflater = new DomStreamInflater();
  const events: RrwebEvent[] = [];
  let offset: number | null = null;
  let last = 0;
  let skipped = 0;
  for (const frame of frames) {
    const result = inflater.inflate(frame.bytes);
    if (!result.ok) {
      skipped++;
      continue;
    }
    // A keyframe is an event array, a delta a compact batch (protocol event-batch.ts).
    const batch = parseEventBatch(result.payload);
    if (!batch) {
      skipped++;
      continue;
    }
    const valid = batch.filter((e): e is RrwebEvent => typeof e === 'object' && e !== null && typeof (e as RrwebEvent).type === 'number' && typeof (e as RrwebEvent).timestamp === 'number');
    if (valid.length === 0) continue;
    if (offset === null) offset = frame.at - Math.max(...valid.map((e) => e.timestamp));
    for (const event of valid) {
      last = Math.max(last, Math.round(event.timestamp + offset));
      events.push({ ...event, timestamp: last });
    }
  }
  return { events, skipped };
}

/** Page loads and navigations: every Meta event whose URL differs from the one before. */
export function navigationMarkers(events: readonly RrwebEvent[]): RecordingMarker[] {
  const markers: RecordingMarker[] = [];
  let href: string | null = null;
  for (const event of events) {
    if (event.type !== META) continue;
    const next = (event.data as { href?: unknown } | null)?.href;
    if (typeof next !== 'string' || next === href) continue;
    if (href !== null) markers.push({ kind: 'navigation', at: event.timestamp, label: next, detail: { url: next } });
    href = next;
  }
  return markers;
}

/**
 * Inserts markers as rrweb Custom events, each at its time but never before the first full
 * snapshot (players expect Meta + FullSnapshot first). Navigation markers are already in the
 * stream as Meta events; they are added too, so a tool can find them by tag.
 */
export function withMarkerEvents(events: readonly RrwebEvent[], markers: readonly RecordingMarker[]): RrwebEvent[] {
  if (events.length === 0) return [];
  const firstFull = events.findIndex((e) => e.type === 2);
  const floor = events[Math.max(firstFull, 0)]!.timestamp;
  const custom = markers
    .map((m) => ({ type: CUSTOM, timestamp: Math.max(m.at, floor), data: { tag: `samepage/${m.kind}`, payload: { label: m.label, at: m.at, ...m.detail } } }))
    .sort((a, b) => a.timestamp - b.timestamp);
  const out: RrwebEvent[] = [];
  let j = 0;
  events.forEach((event, i) => {
    // Never between the first Meta and its FullSnapshot.
    if (i > firstFull) while (j < custom.length && custom[j]!.timestamp < event.timestamp) out.push(custom[j++]!);
    out.push(event);
  });
  while (j < custom.length) out.push(custom[j++]!);
  return out;
}
