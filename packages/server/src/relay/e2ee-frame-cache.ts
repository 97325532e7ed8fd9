import type { E2eeHeader } from '@samepage/protocol';
import { FrameCache, type FrameVerdict } from './frame-cache.ts';

/**
 * The late-join cache of an end-to-end encrypted session: the current epoch's `dom_keyframe`
 * and the `dom_delta` frames after it, as the ciphertext the customer's tab sent. A new keyframe
 * (or a delta of another epoch) starts it over. It never holds anything the server can read; a
 * joiner gets nothing readable until the customer has verified it and sent it the epoch key.
 *
 * It stands in for FrameCache on the session, so resyncs and late joins work unchanged.
 */
export class E2eeFrameCache extends FrameCache {
  private cached: Uint8Array[] = [];
  private cachedEpoch = -1;
  private cachedBytes = 0;
  private lastE2eeSeq = -1;
  private highestEpoch = -1;

  constructor(private readonly budget: number) {
    super(budget);
  }

  /** Plaintext DOM frames never enter an encrypted session's cache. */
  override accept(): FrameVerdict {
    return { ok: false, reason: 'plaintext DOM frames are refused in an end-to-end encrypted session' };
  }

  /** Stores a DOM frame the gate accepted. Returns true when the cache is over its budget (time for a new keyframe). */
  store(header: E2eeHeader, frame: Uint8Array): boolean {
    if (header.type === 'dom_keyframe') {
      this.cached = [frame];
      this.cachedEpoch = header.epoch;
      this.cachedBytes = frame.byteLength;
    } else if (header.type === 'dom_delta' && header.epoch === this.cachedEpoch) {
      this.cached.push(frame);
      this.cachedBytes += frame.byteLength;
    } else if (header.type === 'dom_delta') {
      // A delta without its keyframe is useless to a joiner: keep nothing until the next keyframe.
      this.cached = [];
      this.cachedEpoch = -1;
      this.cachedBytes = 0;
    }
    this.lastE2eeSeq = header.seq;
    this.highestEpoch = Math.max(this.highestEpoch, header.epoch);
    return this.cachedBytes > this.budget;
  }

  /** The session's epoch moved on: frames of older epochs are of no use to anyone. */
  startEpoch(epoch: number): void {
    this.highestEpoch = Math.max(this.highestEpoch, epoch);
    if (epoch <= this.cachedEpoch) return;
    this.cached = [];
    this.cachedEpoch = -1;
    this.cachedBytes = 0;
  }

  override snapshot(): readonly Uint8Array[] {
    return this.cached;
  }

  override get size(): number {
    return this.cachedBytes;
  }

  override get nextSeq(): number {
    return this.lastE2eeSeq + 1;
  }

  /** The highest epoch the customer has used (a resumed tab starts above it). */
  override get currentEpoch(): number {
    return this.highestEpoch;
  }
}
