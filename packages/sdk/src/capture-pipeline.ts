/**
 * Wires the capture path: rrweb (recorder.ts) -> redaction gate (event-scrubber.ts) ->
 * frames (frame-writer.ts), with our own pointer and scroll sampling (motion-capture.ts).
 * The scrubber runs synchronously in the emit hook, so nothing is serialized before it.
 */
import { scrubEvent } from './event-scrubber.ts';
import { createFrameWriter, type FrameCounters, type FrameSink } from './frame-writer.ts';
import { startMotionCapture } from './motion-capture.ts';
import { getNodeById, getNodeId, startRecorder } from './recorder.ts';
import type { RedactionPolicy } from './redaction.ts';
import { IncrementalSource, incrementalSource } from './rrweb-events.ts';

export interface CapturePipeline {
  /** A fresh keyframe: on (re)connect and when the server asks for one. */
  takeKeyframe(): void;
  /** Continue frame numbering at least from here (welcome.resumed after a reconnect). */
  advanceTo(floor: FrameCounters): void;
  stop(): void;
}

export interface CapturePipelineOptions {
  policy: RedactionPolicy;
  sink: FrameSink;
  counters: FrameCounters;
  onCounters(counters: FrameCounters): void;
  onError(error: unknown): void;
  /** Canvas frames per second (0 = canvases stay blank in the replica). */
  canvasFps: number;
}

/** rrweb's own versions of these are replaced by motion-capture.ts (see DESIGN.md). */
const REPLACED_SOURCES: ReadonlySet<number> = new Set([IncrementalSource.Scroll, IncrementalSource.MouseMove, IncrementalSource.TouchMove]);

/**
 * Starts recording at once; rrweb's first events (Meta + FullSnapshot) make the first keyframe.
 *
 * @example
 *   const pipeline = startCapturePipeline({ policy, sink, counters, onCounters: save, onError: report });
 */
export function startCapturePipeline(options: CapturePipelineOptions): CapturePipeline | null {
  const { policy } = options;
  let recorder: ReturnType<typeof startRecorder> = null;

  const writer = createFrameWriter({
    sink: options.sink,
    counters: options.counters,
    onCounters: options.onCounters,
    requestKeyframe: () => recorder?.takeFullSnapshot(),
    drainExtra: () => motion.drain(),
    onError: options.onError,
  });
  const motion = startMotionCapture({
    getId: getNodeId,
    isBlocked: (el) => policy.isBlocked(el),
    onPending: () => writer.schedule(),
  });

  recorder = startRecorder({
    policy,
    canvasFps: options.canvasFps,
    onError: options.onError,
    emit(event) {
      const source = incrementalSource(event);
      if (source !== undefined && REPLACED_SOURCES.has(source)) return;
      writer.push(scrubEvent(policy, getNodeById, event));
    },
  });
  if (!recorder) {
    motion.stop();
    writer.stop();
    return null;
  }
  const rec = recorder;
  return {
    takeKeyframe: () => {
      rec.takeFullSnapshot();
      motion.resendVisualViewport();
    },
    advanceTo: (floor) => writer.advanceTo(floor),
    stop() {
      rec.stop();
      motion.stop();
      writer.stop();
    },
  };
}
