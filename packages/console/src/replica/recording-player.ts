/**
 * Plays a recording: rrweb's Replayer in normal replay mode (not live), in its sandboxed iframe
 * with the same CSP lock-down, style rules and blocked-node marking as the live replica.
 */
import { Replayer } from 'rrweb';
import type { RecordedEvent } from '../api-recordings.ts';
import { lockDown, markBlockedNodes, STYLE_RULES } from './rrweb-adapter.ts';
import { fitToStage } from './fit-stage.ts';

export interface RecordingPlayer {
  /** Total length, ms. */
  readonly duration: number;
  /** Current position, ms from the start. */
  position(): number;
  play(): void;
  pause(): void;
  playing(): boolean;
  /** Jumps to `ms` from the start, keeping the play state. */
  seek(ms: number): void;
  setSpeed(speed: number): void;
  onFinish(callback: () => void): void;
  /** The replayed document (tests read it). */
  document(): Document | null;
  destroy(): void;
}

/** `maxHeight`: the tallest the scaled page may be (px), so what is under it stays in view. */
export function createRecordingPlayer(root: HTMLElement, events: readonly RecordedEvent[], contentPolicy: string, maxHeight = () => window.innerHeight * 0.6): RecordingPlayer {
  root.replaceChildren();
  const replayer = new Replayer(events as unknown as ConstructorParameters<typeof Replayer>[0], {
    root,
    UNSAFE_replayCanvas: false,
    mouseTail: false,
    showWarning: false,
    triggerFocus: false,
    useVirtualDom: false,
    insertStyleRules: STYLE_RULES,
    plugins: [markBlockedNodes],
  });
  // Before the first snapshot is built (the constructor builds it in a timeout).
  lockDown(replayer, contentPolicy);
  const duration = replayer.getMetaData().totalTime;
  let isPlaying = false;
  let finished: (() => void) | null = null;
  replayer.on('finish', () => {
    isPlaying = false;
    finished?.();
  });
  replayer.pause(0);
  const stopFitting = fitToStage(root, replayer.wrapper, replayer.iframe, maxHeight);
  return {
    duration,
    position: () => Math.min(duration, Math.max(0, replayer.getCurrentTime())),
    play() {
      const at = replayer.getCurrentTime();
      replayer.play(at >= duration ? 0 : at);
      isPlaying = true;
    },
    pause() {
      replayer.pause();
      isPlaying = false;
    },
    playing: () => isPlaying,
    seek(ms) {
      const at = Math.min(duration, Math.max(0, ms));
      if (isPlaying && at < duration) replayer.play(at);
      else {
        // rrweb applies at once only the events before the offset: past the end, so the last ones count.
        replayer.pause(at >= duration ? duration + 1 : at);
        isPlaying = false;
      }
    },
    setSpeed(speed) {
      replayer.setConfig({ speed });
    },
    onFinish(callback) {
      finished = callback;
    },
    document: () => replayer.iframe.contentDocument,
    destroy() {
      stopFitting();
      replayer.destroy();
      root.replaceChildren();
    },
  };
}
