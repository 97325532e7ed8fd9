/**
 * In-page half of bench/snapshot-profile: starts rrweb's record() on the page either with
 * Samepage's recorder options (our redaction hooks) or with rrweb's bare options, and reports how
 * long the synchronous record() call took. Bundled with esbuild (not minified: the profiler
 * attributes samples by function name).
 */
import { record } from '@rrweb/record';
import { startRecorder } from '../../packages/sdk/src/recorder.ts';
import { createRedactionPolicy } from '../../packages/sdk/src/redaction.ts';

declare global {
  interface Window {
    __snapProfile: { runSamepage(): number; runBare(): number };
  }
}

function timeIt(start: () => void): number {
  const t0 = performance.now();
  start();
  return performance.now() - t0;
}

window.__snapProfile = {
  runSamepage: () =>
    timeIt(() => {
      startRecorder({ policy: createRedactionPolicy(), emit: () => {}, onError: (e) => console.error(e), canvasFps: 0 });
    }),
  runBare: () =>
    timeIt(() => {
      record({ emit: () => {}, maskAllInputs: true, inlineStylesheet: true, collectFonts: false, sampling: { mousemove: false } });
    }),
};
