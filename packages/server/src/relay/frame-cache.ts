import { decodeDomFrameHeader, isKeyframe, type DomFrameHeader } from '@samepage/protocol';

export type FrameVerdict = { ok: true; header: DomFrameHeader; overBudget: boolean } | { ok: false; reason: string };

/**
 * The late-join cache of one session: the latest keyframe and every delta of its epoch, as the
 * opaque bytes the host sent. A joiner gets these and can inflate the epoch from its start.
 */
export class FrameCache {
  private frames: Uint8Array[] = [];
  private epoch = -1;
  private lastSeq = -1;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Checks the header of a host frame and stores it. Frames of an old epoch are refused. */
  accept(frame: Uint8Array): FrameVerdict {
    const header = decodeDomFrameHeader(frame);
    if (!header) return { ok: false, reason: 'bad DOM frame header' };
    if (this.lastSeq >= 0 && header.seq <= this.lastSeq) return { ok: false, reason: 'sequence number went backwards' };
    if (isKeyframe(header)) {
      if (header.epoch <= this.epoch) return { ok: false, reason: 'keyframe epoch went backwards' };
      this.frames = [frame];
      this.epoch = header.epoch;
      this.bytes = frame.byteLength;
    } else {
      if (header.epoch !== this.epoch) return { ok: false, reason: 'delta for an epoch without keyframe' };
      this.frames.push(frame);
      this.bytes += frame.byteLength;
    }
    this.lastSeq = header.seq;
    return { ok: true, header, overBudget: this.bytes > this.maxBytes };
  }

  /** The frames a newcomer needs, oldest first; empty until the first keyframe. */
  snapshot(): readonly Uint8Array[] {
    return this.frames;
  }

  /** A page load restarts the numbering on the host's side only if it lost its state. */
  resetSequence(): void {
    this.lastSeq = -1;
  }

  get size(): number {
    return this.bytes;
  }

  /** The next sequence number the host may use. */
  get nextSeq(): number {
    return this.lastSeq + 1;
  }

  get currentEpoch(): number {
    return this.epoch;
  }
}
