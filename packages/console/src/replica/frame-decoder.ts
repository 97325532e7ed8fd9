/**
 * Turns the binary DOM frames of one session into batches of rrweb events.
 *
 * A keyframe starts a new epoch and is inflated on its own. The deltas of the epoch form one
 * deflate-raw stream (sync-flushed by the sender after every frame), so they go through one
 * streaming `Inflate` created right after the keyframe. A delta of another epoch, a gap in `seq`
 * or a payload that does not decode means the stream is out of sync: deltas are dropped until
 * the next keyframe, and the caller is asked (once) to request one.
 */
import { Inflate, inflateSync } from 'fflate';
import { FLAG_DEFLATE, decodeDomFrameHeader, domFramePayload, isKeyframe } from '@samepage/protocol';

/** An rrweb event as it travels on the wire; the replica adapter knows the details. */
export interface ReplicaEvent {
  type: number;
  timestamp: number;
  data?: unknown;
  [key: string]: unknown;
}

export type FrameOutcome =
  | { kind: 'keyframe'; epoch: number; seq: number; events: ReplicaEvent[] }
  | { kind: 'delta'; epoch: number; seq: number; events: ReplicaEvent[] }
  /** Out of sync; `requestKeyframe` is true the first time, so the caller sends one request. */
  | { kind: 'lost_sync'; reason: string; requestKeyframe: boolean }
  | { kind: 'invalid'; reason: string };

export interface DecoderStats {
  epoch: number | null;
  seq: number | null;
  /** Events decoded in the current epoch. */
  events: number;
  keyframes: number;
  resyncs: number;
}

const textDecoder = new TextDecoder();

function parseEvents(bytes: Uint8Array): ReplicaEvent[] | null {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  const events: ReplicaEvent[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const e = item as Partial<ReplicaEvent>;
    if (typeof e.type !== 'number' || typeof e.timestamp !== 'number') return null;
    events.push(item as ReplicaEvent);
  }
  return events;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  let size = 0;
  for (const c of chunks) size += c.byteLength;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export class FrameDecoder {
  private epoch: number | null = null;
  private seq: number | null = null;
  private inflater: Inflate | null = null;
  private output: Uint8Array[] = [];
  private synced = false;
  private keyframeRequested = false;
  private eventCount = 0;
  private keyframes = 0;
  private resyncs = 0;

  decode(frame: Uint8Array): FrameOutcome {
    const header = decodeDomFrameHeader(frame);
    if (!header) return { kind: 'invalid', reason: 'not a DOM frame' };
    const payload = domFramePayload(frame);
    const deflated = (header.flags & FLAG_DEFLATE) !== 0;
    if (isKeyframe(header)) return this.decodeKeyframe(header.epoch, header.seq, payload, deflated);
    return this.decodeDelta(header.epoch, header.seq, payload, deflated);
  }

  stats(): DecoderStats {
    return { epoch: this.epoch, seq: this.seq, events: this.eventCount, keyframes: this.keyframes, resyncs: this.resyncs };
  }

  private decodeKeyframe(epoch: number, seq: number, payload: Uint8Array, deflated: boolean): FrameOutcome {
    let events: ReplicaEvent[] | null = null;
    try {
      events = parseEvents(deflated ? inflateSync(payload) : payload);
    } catch {
      events = null;
    }
    if (!events) return this.loseSync('keyframe could not be decoded');
    this.epoch = epoch;
    this.seq = seq;
    this.synced = true;
    this.keyframeRequested = false;
    this.keyframes += 1;
    this.eventCount = events.length;
    this.output = [];
    this.inflater = new Inflate((chunk) => {
      this.output.push(chunk);
    });
    return { kind: 'keyframe', epoch, seq, events };
  }

  private decodeDelta(epoch: number, seq: number, payload: Uint8Array, deflated: boolean): FrameOutcome {
    if (!this.synced || this.epoch === null || this.seq === null) return this.loseSync('delta before a keyframe');
    if (epoch !== this.epoch) return this.loseSync(`delta of epoch ${epoch}, expected ${this.epoch}`);
    if (seq !== this.seq + 1) return this.loseSync(`gap in seq: got ${seq}, expected ${this.seq + 1}`);
    let bytes: Uint8Array = payload;
    if (deflated) {
      this.output = [];
      try {
        this.inflater?.push(payload);
      } catch {
        return this.loseSync('delta could not be inflated');
      }
      bytes = concat(this.output);
      this.output = [];
    }
    const events = parseEvents(bytes);
    if (!events) return this.loseSync('delta could not be parsed');
    this.seq = seq;
    this.eventCount += events.length;
    return { kind: 'delta', epoch, seq, events };
  }

  private loseSync(reason: string): FrameOutcome {
    if (this.synced) this.resyncs += 1;
    this.synced = false;
    this.inflater = null;
    this.output = [];
    const requestKeyframe = !this.keyframeRequested;
    this.keyframeRequested = true;
    return { kind: 'lost_sync', reason, requestKeyframe };
  }

  /** Allows another keyframe request, e.g. when the first one went unanswered for a while. */
  allowKeyframeRequest(): void {
    this.keyframeRequested = false;
  }
}
