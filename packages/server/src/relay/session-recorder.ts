import type { Logger } from 'pino';
import type { RecordedFrame, RecordingOwner, RecordingStore } from '../recording-store.ts';

const FLUSH_MS = 1000;
const FLUSH_BYTES = 512 * 1024;

/**
 * Records one session's DOM stream on its home node (the node the customer's tab is connected
 * to; frames never reach another node's host handler). On the hot path it only keeps a
 * reference to the frame and its arrival time: no parsing, no copy. Frames are written in
 * batches, one write at a time, so they are stored in the order they arrived.
 */
export class SessionRecorder {
  private buffer: RecordedFrame[] = [];
  private buffered = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    private readonly store: RecordingStore,
    private readonly owner: RecordingOwner,
    private readonly log: Logger,
  ) {}

  /** A frame the relay accepted (its header already checked by the frame cache). */
  append(frame: Uint8Array, seq: number): void {
    if (this.finished) return;
    const bytes = Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    this.buffer.push({ seq, at: Date.now(), bytes });
    this.buffered += bytes.byteLength;
    if (this.buffered >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref?.();
    }
  }

  /** Writes what is buffered; resolves when every write so far is done. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    this.buffered = 0;
    if (batch.length > 0) {
      this.writing = this.writing
        .then(() => this.store.append(this.owner, batch))
        .catch((err: unknown) => this.log.error({ err, frames: batch.length }, 'could not store recording frames'));
    }
    return this.writing;
  }

  /** The session ended: writes the rest and marks the recording finished. */
  finish(endedAt = Date.now()): Promise<void> {
    if (this.finished) return this.writing;
    this.finished = true;
    void this.flush();
    this.writing = this.writing
      .then(() => this.store.finish(this.owner.tenantId, this.owner.sessionId, endedAt))
      .catch((err: unknown) => this.log.error({ err }, 'could not finish the recording'));
    return this.writing;
  }
}
