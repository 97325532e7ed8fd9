/**
 * Turns the binary DOM frames of one session into batches of rrweb events.
 *
 * A keyframe starts a new epoch and is inflated on its own. Each delta of the epoch is inflated
 * on its own with the epoch's rolling window as dictionary (protocol `DeltaWindow`) and expanded
 * from the compact batch form back to rrweb events (`parseEventBatch`), so deltas must arrive in order, starting right after the keyframe. A delta of another epoch, a gap in `seq`
 * or a payload that does not decode means the stream is out of sync: deltas are dropped until
 * the next keyframe, and the caller is asked (once) to request one.
 */
import { DomStreamInflater, isKeyframe, parseEventBatch } from '@samepage/protocol';

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

/** A keyframe is a plain event array; a delta is a compact batch (protocol event-batch.ts). */
function parseEvents(bytes: Uint8Array): ReplicaEvent[] | null {
  return parseEventBatch(bytes);
}

export class FrameDecoder {
  private readonly inflater = new DomStreamInflater();
  private epoch: number | null = null;
  private seq: number | null = null;
  private synced = false;
  private keyframeRequested = false;
  private eventCount = 0;
  private keyframes = 0;
  private resyncs = 0;

  decode(frame: Uint8Array): FrameOutcome {
    const result = this.inflater.inflate(frame);
    if (!result.header) return { kind: 'invalid', reason: result.ok ? 'not a DOM frame' : result.reason };
    if (!result.ok) return this.loseSync(result.reason);
    const { header } = result;
    const events = parseEvents(result.payload);
    if (!events) return this.loseSync(`${isKeyframe(header) ? 'keyframe' : 'delta'} could not be parsed`);
    this.epoch = header.epoch;
    this.seq = header.seq;
    if (isKeyframe(header)) {
      this.synced = true;
      this.keyframeRequested = false;
      this.keyframes += 1;
      this.eventCount = events.length;
      return { kind: 'keyframe', epoch: header.epoch, seq: header.seq, events };
    }
    this.eventCount += events.length;
    return { kind: 'delta', epoch: header.epoch, seq: header.seq, events };
  }

  stats(): DecoderStats {
    return { epoch: this.epoch, seq: this.seq, events: this.eventCount, keyframes: this.keyframes, resyncs: this.resyncs };
  }

  private loseSync(reason: string): FrameOutcome {
    if (this.synced) this.resyncs += 1;
    this.synced = false;
    const requestKeyframe = !this.keyframeRequested;
    this.keyframeRequested = true;
    return { kind: 'lost_sync', reason, requestKeyframe };
  }

  /** Allows another keyframe request, e.g. when the first one went unanswered for a while. */
  allowKeyframeRequest(): void {
    this.keyframeRequested = false;
  }
}
