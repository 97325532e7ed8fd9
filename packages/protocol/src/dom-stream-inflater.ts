import { inflateSync } from 'fflate';
import { decodeDomFrameHeader, domFramePayload, isKeyframe, FLAG_DEFLATE, type DomFrameHeader } from './dom-frame.ts';
import { DeltaWindow } from './delta-window.ts';

export type InflateResult = { ok: true; header: DomFrameHeader; payload: Uint8Array } | { ok: false; header: DomFrameHeader | null; reason: string };

/**
 * Turns the binary frames of one DOM stream back into uncompressed payloads, in order:
 * a keyframe on its own, each delta with the epoch's dictionary window. Used by the console,
 * by tests that check every byte a customer's tab sent, and by tools that read the stream.
 */
export class DomStreamInflater {
  private epoch: number | null = null;
  private lastSeq: number | null = null;
  private window: DeltaWindow | null = null;

  inflate(frame: Uint8Array): InflateResult {
    const header = decodeDomFrameHeader(frame);
    if (!header) return { ok: false, header: null, reason: 'not a DOM frame' };
    const body = domFramePayload(frame);
    const deflated = (header.flags & FLAG_DEFLATE) !== 0;
    if (isKeyframe(header)) {
      let payload: Uint8Array;
      try {
        payload = deflated ? inflateSync(body) : body;
      } catch {
        return this.lose(header, 'keyframe could not be inflated');
      }
      this.epoch = header.epoch;
      this.lastSeq = header.seq;
      this.window = new DeltaWindow();
      this.window.append(payload);
      return { ok: true, header, payload };
    }
    if (this.window === null || this.epoch === null || this.lastSeq === null) return this.lose(header, 'delta before a keyframe');
    if (header.epoch !== this.epoch) return this.lose(header, `delta of epoch ${header.epoch}, expected ${this.epoch}`);
    if (header.seq !== this.lastSeq + 1) return this.lose(header, `gap in seq: got ${header.seq}, expected ${this.lastSeq + 1}`);
    let payload: Uint8Array;
    try {
      payload = deflated ? inflateSync(body, { dictionary: this.window.dictionary() }) : body;
    } catch {
      return this.lose(header, 'delta could not be inflated');
    }
    this.window.append(payload);
    this.lastSeq = header.seq;
    return { ok: true, header, payload };
  }

  /** Out of sync: nothing decodes until the next keyframe. */
  private lose(header: DomFrameHeader, reason: string): InflateResult {
    this.window = null;
    return { ok: false, header, reason };
  }
}
