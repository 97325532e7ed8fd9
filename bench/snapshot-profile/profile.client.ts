/**
 * In-page half of bench/snapshot-profile: starts rrweb's record() on the page either with
 * Samepage's recorder options (our redaction hooks) or with rrweb's bare options, and reports how
 * long the synchronous record() call took; then, for Samepage, how long our redaction pass over
 * that snapshot takes in one go (the work the snapshot slicer spreads over slices). Bundled with
 * esbuild (not minified: the profiler attributes samples by function name).
 */
import { record } from '@rrweb/record';
import { scrubEvent } from '../../packages/sdk/src/event-scrubber.ts';
import { getNodeById, startRecorder } from '../../packages/sdk/src/recorder.ts';
import { createRedactionPolicy } from '../../packages/sdk/src/redaction.ts';
import { EventType, type RecordedEvent } from '../../packages/sdk/src/rrweb-events.ts';

declare global {
  interface Window {
    __snapProfile: { runSamepage(): number; runBare(): number; scrubSnapshot(): number };
  }
}

function timeIt(start: () => void): number {
  const t0 = performance.now();
  start();
  return performance.now() - t0;
}

const policy = createRedactionPolicy();
let snapshot: RecordedEvent | null = null;

window.__snapProfile = {
  runSamepage: () =>
    timeIt(() => {
      const emit = (event: RecordedEvent): void => {
        if (event.type === EventType.FullSnapshot) snapshot = event;
      };
      startRecorder({ policy, emit, onError: (e) => console.error(e), canvasFps: 0 });
    }),
  runBare: () =>
    timeIt(() => {
      record({ emit: () => {}, maskAllInputs: true, inlineStylesheet: true, collectFonts: false, sampling: { mousemove: false } });
    }),
  scrubSnapshot: () => {
    const event = snapshot;
    return event ? timeIt(() => scrubEvent(policy, getNodeById, event)) : -1;
  },
};
