/**
 * Backpressure for viewers (agents' consoles and guests) and the relay's traffic counters.
 *
 * Every viewer's DOM stream goes through its socket's send buffer (`bufferedAmount`). When that
 * buffer holds more than `VIEWER_MAX_BUFFERED_BYTES`, the viewer is "behind": it gets no more
 * deltas (they are dropped and counted) instead of the server buffering them without limit.
 * Once its buffer has drained below the low-water mark (a quarter of the bound), it is sent the
 * late-join cache again (the session's keyframe and the deltas of its epoch, which it can decode
 * from scratch) and then the live stream. Other viewers are never waited for.
 */

/** Per-session drop counters (kept on the LiveSession). */
export interface SessionFlowStats {
  framesDropped: number;
  bytesDropped: number;
  /** Times a viewer was put back on the stream with a fresh snapshot. */
  resyncs: number;
}

export function newSessionFlowStats(): SessionFlowStats {
  return { framesDropped: 0, bytesDropped: 0, resyncs: 0 };
}

/** Node-wide counters, read by GET /metrics. */
export class RelayFlowStats {
  framesForwarded = 0;
  bytesForwarded = 0;
  framesDropped = 0;
  bytesDropped = 0;
  resyncs = 0;
  /** Viewers currently behind (not receiving live frames). */
  viewersBehind = 0;
  /** Sockets refused because MAX_SOCKETS was reached. */
  socketsRefused = 0;
}

export interface ViewerFlowOptions {
  maxBufferedBytes: number;
  stats: RelayFlowStats;
  session?: SessionFlowStats;
  /**
   * Sends the viewer what it needs to decode from scratch (the late-join cache). Returns the bytes
   * sent, or null when that is not possible here (then the next keyframe is waited for).
   */
  resync(): number | null;
}

/**
 * Byte 1 of a DOM frame header is its flags; 1 = KEYFRAME (docs/PROTOCOL.md). An end-to-end
 * encrypted frame (kind 2) has its type in byte 2; 1 = dom_keyframe (docs/E2EE.md).
 */
function isKeyframeBytes(frame: Uint8Array): boolean {
  if (frame[0] === 0x02) return frame.byteLength >= 20 && frame[2] === 0x01;
  return frame.byteLength >= 12 && ((frame[1] ?? 0) & 1) === 1;
}

/** DOM frames may be dropped for a slow viewer (it is resynchronised later); encrypted chat, control, keys and pairing may not. */
export function isDroppable(frame: Uint8Array): boolean {
  return frame[0] !== 0x02 || frame[2] === 0x01 || frame[2] === 0x02;
}

/** How often a behind viewer's buffer is checked for the low-water mark. */
export const DRAIN_POLL_MS = 50;

/** The state of one viewer's stream; owned by its Peer. */
export class ViewerFlow {
  behind = false;
  /** After a catch-up that could not send a snapshot here: deltas are dropped until a keyframe. */
  awaitingKeyframe = false;
  /** Bytes of a resync just queued; allowed above the bound until the buffer drains once. */
  private grace = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly options: ViewerFlowOptions,
    private readonly buffered: () => number,
    private readonly isClosed: () => boolean,
  ) {}

  get lowWater(): number {
    return Math.floor(this.options.maxBufferedBytes / 4);
  }

  /** Decides whether a live frame may be queued now; counts it either way. */
  admit(frame: Uint8Array): boolean {
    const { stats, session } = this.options;
    if (this.awaitingKeyframe && !this.behind && isKeyframeBytes(frame)) this.awaitingKeyframe = false;
    if (!this.behind && !this.awaitingKeyframe) {
      const queued = this.buffered();
      if (this.grace > 0 && queued <= this.lowWater) this.grace = 0;
      if (queued + frame.byteLength <= this.options.maxBufferedBytes + this.grace) {
        stats.framesForwarded += 1;
        stats.bytesForwarded += frame.byteLength;
        return true;
      }
      this.fallBehind();
    }
    stats.framesDropped += 1;
    stats.bytesDropped += frame.byteLength;
    if (session) {
      session.framesDropped += 1;
      session.bytesDropped += frame.byteLength;
    }
    return false;
  }

  /**
   * Counts frames that bypass `admit` (a late-join snapshot). A snapshot lets the viewer decode
   * from scratch, so it ends a wait for a keyframe, and live frames may queue behind it while it
   * drains, as after a resync (a snapshot from another node arrives after `resync` returned).
   */
  counted(bytes: number, frames: number): void {
    this.options.stats.framesForwarded += frames;
    this.options.stats.bytesForwarded += bytes;
    if (frames > 0 && !this.behind) {
      this.awaitingKeyframe = false;
      this.grace = Math.max(this.grace, bytes);
    }
  }

  private fallBehind(): void {
    this.behind = true;
    this.options.stats.viewersBehind += 1;
    this.timer = setInterval(() => this.poll(), DRAIN_POLL_MS);
    this.timer.unref?.();
  }

  private poll(): void {
    if (this.isClosed()) return this.stop();
    if (this.buffered() > this.lowWater) return;
    this.catchUp();
  }

  private catchUp(): void {
    this.clearTimer();
    this.behind = false;
    this.options.stats.viewersBehind -= 1;
    const sent = this.options.resync();
    if (sent === null) {
      this.awaitingKeyframe = true;
      return;
    }
    this.grace = sent;
    this.options.stats.resyncs += 1;
    if (this.options.session) this.options.session.resyncs += 1;
  }

  /** The viewer left or closed. */
  stop(): void {
    this.clearTimer();
    if (this.behind) this.options.stats.viewersBehind -= 1;
    this.behind = false;
  }

  private clearTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
