/**
 * The only file that knows rrweb. Everything else talks to `Recorder`, so the recorder can be
 * patched or replaced (DESIGN.md) without touching transport, redaction or framing.
 */
import { record } from '@rrweb/record';
import type { RecordedEvent } from './rrweb-events.ts';
import type { RedactionPolicy } from './redaction.ts';

export interface Recorder {
  /** Emits Meta + FullSnapshot at once (a keyframe). */
  takeFullSnapshot(): void;
  /** The recorder's id of a node, or -1 when it is not recorded. */
  getId(node: Node): number;
  getNode(id: number): Node | null;
  stop(): void;
}

export interface RecorderOptions {
  policy: RedactionPolicy;
  /** Receives every event; must not throw (it is wrapped anyway). */
  emit(event: RecordedEvent): void;
  onError(error: unknown): void;
  /** Canvas frames per second sent to agents; 0 leaves canvases blank. */
  canvasFps: number;
  /** Top page only: merge the rrweb events that cross-origin frames post (frame-parent.ts filters them first). */
  crossOriginFrames?: boolean;
  /** rrweb's own scroll sampling; by default nearly idle, since motion-capture.ts samples scroll (a framed page has none). */
  scrollThrottleMs?: number;
  /**
   * Full snapshots are taken a slice at a time while the page runs (snapshot-walk.ts): Meta +
   * FullSnapshot are emitted when the walk ends, not inside record() or takeFullSnapshot(). Off:
   * rrweb's one synchronous walk (a still snapshot that is stopped at once needs that).
   */
  sliceSnapshot?: boolean;
}

/**
 * The recorder's node ids, usable before startRecorder returns: rrweb may emit the first full
 * snapshot synchronously inside record() (always without `sliceSnapshot`, and with it when the
 * page is small enough for one slice), and the redaction gate must see live nodes then.
 */
export function getNodeId(node: Node): number {
  return record.mirror.getId(node);
}
export function getNodeById(id: number): Node | null {
  return record.mirror.getNode(id);
}

/** We capture scroll ourselves (motion-capture.ts); this makes rrweb's throttled one nearly idle. */
const RRWEB_SCROLL_THROTTLE_MS = 60 * 60 * 1000;

/**
 * Starts recording the document. Returns null when rrweb could not start (reported via onError).
 *
 * @example
 *   const rec = startRecorder({ policy, emit: (e) => writer.push(e), onError: report });
 */
export function startRecorder(options: RecorderOptions): Recorder | null {
  const { policy } = options;
  // rrweb samples canvases in a blob: worker, which a strict page CSP refuses (and reports as a
  // violation), so canvas recording starts only on pages that have a canvas when capture starts.
  const canvasFps = options.canvasFps > 0 && hasCanvas() ? options.canvasFps : 0;
  let stopRecording: (() => void) | undefined;
  try {
    stopRecording = record<RecordedEvent>({
      emit: (event) => {
        try {
          options.emit(event);
        } catch (error) {
          options.onError(error);
        }
      },
      maskAllInputs: true,
      maskInputFn: (text, element) => policy.maskInput(text, element),
      maskTextSelector: policy.maskTextSelector,
      maskTextFn: (text, element) => policy.maskText(text, element),
      blockSelector: policy.blockSelector,
      // Never in a frame: rrweb would post the frame's events to its parent with targetOrigin '*'.
      recordCrossOriginIframes: options.crossOriginFrames === true && window.parent === window,
      // Canvases are sent as sampled images (webp), at a bounded rate set per site.
      recordCanvas: canvasFps > 0,
      dataURLOptions: { type: 'image/webp', quality: 0.7 },
      inlineStylesheet: true,
      collectFonts: false,
      inlineImages: false,
      // rrweb's mousemove is batched every 500 ms and its scroll throttle is shared by every
      // element; both are replaced by motion-capture.ts.
      sampling: { mousemove: false, scroll: options.scrollThrottleMs ?? RRWEB_SCROLL_THROTTLE_MS, input: 'all', ...(canvasFps > 0 ? { canvas: canvasFps } : {}) },
      errorHandler: (error) => {
        options.onError(error);
        return true; // handled: rrweb must not rethrow into the page
      },
      // Read by the build's patch of rrweb (rrweb-slicing.mjs); not in rrweb's option types.
      ...({ sliceSnapshot: options.sliceSnapshot === true } as object),
    });
  } catch (error) {
    options.onError(error);
    return null;
  }
  if (!stopRecording) return null;
  const stop = stopRecording;
  return {
    takeFullSnapshot: () => {
      try {
        record.takeFullSnapshot(true);
      } catch (error) {
        options.onError(error);
      }
    },
    getId: getNodeId,
    getNode: getNodeById,
    stop: () => {
      try {
        stop();
      } catch (error) {
        options.onError(error);
      }
    },
  };
}

function hasCanvas(): boolean {
  try {
    return document.querySelector('canvas') !== null;
  } catch {
    return false;
  }
}
