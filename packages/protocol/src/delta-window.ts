/**
 * The shared history of one epoch of the DOM stream. Each delta is compressed on its own
 * (deflate-raw) with a preset dictionary: the last 32 KiB of everything sent before it in the
 * epoch, starting with the keyframe's uncompressed payload. Sender and viewers keep the same
 * window, so repetitive changes compress against what came before (like permessage-deflate's
 * context takeover) while every frame stays a complete deflate stream that decodes on arrival.
 */
export const DELTA_DICTIONARY_BYTES = 32 * 1024;

export class DeltaWindow {
  private bytes = new Uint8Array(0);

  /** The dictionary for the next delta; undefined when the window is empty. */
  dictionary(): Uint8Array | undefined {
    return this.bytes.byteLength ? this.bytes : undefined;
  }

  /** Appends an uncompressed payload (the keyframe's, then each delta's, in order). */
  append(payload: Uint8Array): void {
    const keep = Math.min(DELTA_DICTIONARY_BYTES, this.bytes.byteLength + payload.byteLength);
    const next = new Uint8Array(keep);
    const fromPayload = Math.min(payload.byteLength, keep);
    const fromOld = keep - fromPayload;
    next.set(this.bytes.subarray(this.bytes.byteLength - fromOld), 0);
    next.set(payload.subarray(payload.byteLength - fromPayload), fromOld);
    this.bytes = next;
  }
}
