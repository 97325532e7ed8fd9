/**
 * Wires the capture path: rrweb (recorder.ts) -> redaction gate (event-scrubber.ts) ->
 * frames (frame-writer.ts), with our own pointer and scroll sampling (motion-capture.ts) and
 * the state a snapshot does not hold (focus: motion-capture.ts, open popovers: popover-capture.ts).
 * The scrubber runs synchronously in the emit hook; a full snapshot's tree is scrubbed by the
 * frame writer's slicer (snapshot-slicer.ts) before it is encoded. Nothing is serialized before it.
 */
import { scrubEvent, scrubSnapshotNode } from './event-scrubber.ts';
import { createFrameWriter, type FrameCounters, type FrameSink } from './frame-writer.ts';
import { startFrameBridge } from './frame-parent.ts';
import { startMotionCapture } from './motion-capture.ts';
import { startOffscreenDeferral } from './offscreen-deferral.ts';
import { startPopoverCapture } from './popover-capture.ts';
import { getNodeById, getNodeId, startRecorder } from './recorder.ts';
import type { RedactionPolicy } from './redaction.ts';
import { EventType, IncrementalSource, incrementalSource, type RecordedEvent } from './rrweb-events.ts';

/** Custom event that tells the console which origins' assets this tab supplies (console asset-rewriter.ts). */
export const ASSETS_TAG = 'samepage:assets';

export interface CapturePipeline {
  /** A fresh keyframe: on (re)connect and when the server asks for one. */
  takeKeyframe(): void;
  /** Continue frame numbering at least from here (welcome.resumed after a reconnect). */
  advanceTo(floor: FrameCounters): void;
  /** Events every later keyframe carries in its own batch (assets.js under encryption: asset-supply.ts). */
  setKeyframeEvents(provide: () => RecordedEvent[]): void;
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
  /** Hold changes far below the fold (offscreen-deferral.ts); absent: on. */
  holdOffscreen?: boolean;
  /** Origins whose assets this tab uploads (SDK `inlineAssets`); announced in every keyframe. */
  assetOrigins?: readonly string[];
  /** The site's origins: cross-origin frames of these that run the SDK join the stream (frame-parent.ts). Absent: none. */
  frameOrigins?: () => readonly string[];
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
  let keyframeEvents = (): RecordedEvent[] => [];
  // Before the recorder: its filter must wrap rrweb's listener for frames' messages.
  const frames = options.frameOrigins ? startFrameBridge({ policy, origins: options.frameOrigins, onError: options.onError }) : null;

  const writer = createFrameWriter({
    sink: options.sink,
    counters: options.counters,
    onCounters: options.onCounters,
    requestKeyframe: () => recorder?.takeFullSnapshot(),
    drainExtra: () => [...motion.drain(), ...popovers.drain(), ...(offscreen?.drain().map((e) => scrubEvent(policy, getNodeById, e)) ?? [])],
    filterDelta: (events) => (offscreen ? offscreen.filter(events) : events),
    // A full snapshot is scrubbed by the writer's slicer (snapshot-slicer.ts), before it is encoded.
    scrubNode: (node, masks, tag) => scrubSnapshotNode(policy, getNodeById, node, masks, tag),
    onError: options.onError,
  });
  const motion = startMotionCapture({
    getId: getNodeId,
    isBlocked: (el) => policy.isBlocked(el),
    onPending: () => writer.schedule(),
  });
  const popovers = startPopoverCapture({ getId: getNodeId, onPending: () => writer.schedule() });
  const offscreen = options.holdOffscreen === false ? null : startOffscreenDeferral({
    getNode: getNodeById,
    isRedacted: (el) => policy.isTextRedacted(el) || policy.isBlocked(el),
    onPending: () => writer.schedule(),
  });
  // A full snapshot has no focus, pointer, visual viewport or open popovers: sent right after it
  // (when rrweb emits it: the snapshot is taken in slices, snapshot-walk.ts).
  const afterKeyframe = (): void => {
    motion.resendAfterKeyframe();
    popovers.resendAfterKeyframe();
    frames?.announce(); // a keyframe holds none of the cross-origin frames' content
  };

  const startRecording = (): ReturnType<typeof startRecorder> => startRecorder({
    policy,
    canvasFps: options.canvasFps,
    onError: options.onError,
    crossOriginFrames: frames !== null,
    sliceSnapshot: true,
    emit(event) {
      const source = incrementalSource(event);
      // A frame's scroll is not sampled by motion-capture.ts: rrweb's is kept for it.
      if (source !== undefined && REPLACED_SOURCES.has(source) && !frames?.isFrameEvent(event)) return;
      writer.push(event.type === EventType.FullSnapshot ? event : scrubEvent(policy, getNodeById, event));
      // In the keyframe's own batch, so the console knows before it builds the replica.
      if (event.type === EventType.FullSnapshot && options.assetOrigins?.length) {
        writer.push({ type: EventType.Custom, timestamp: event.timestamp, data: { tag: ASSETS_TAG, payload: { origins: [...options.assetOrigins] } } });
      }
      if (event.type === EventType.FullSnapshot) {
        for (const extra of keyframeEvents()) writer.push(extra);
        offscreen?.reset();
        afterKeyframe();
      }
    },
  });
  // rrweb adds its listener for frames' messages inside record(): behind the bridge's filter.
  recorder = frames ? frames.whileStarting(startRecording) : startRecording();
  if (!recorder) {
    frames?.stop();
    motion.stop();
    popovers.stop();
    offscreen?.stop();
    writer.stop();
    return null;
  }
  const rec = recorder;
  return {
    takeKeyframe: () => rec.takeFullSnapshot(),
    advanceTo: (floor) => writer.advanceTo(floor),
    setKeyframeEvents: (provide) => void (keyframeEvents = provide),
    stop() {
      frames?.stop();
      rec.stop();
      motion.stop();
      popovers.stop();
      offscreen?.stop();
      writer.stop();
    },
  };
}
