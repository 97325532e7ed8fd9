/**
 * <video> and <audio> in the replica: the customer's position and play state, silently.
 *
 * rrweb's media replay computes the position from the replay clock, which our live mode parks
 * in the far future (rrweb-adapter.ts), so a playing video jumped to its end. Here the position
 * comes from the customer's last media event (play, pause, seeked, rate change: rrweb records
 * each with `currentTime`) or from the keyframe (`rr_mediaCurrentTime`, `rr_mediaState`), plus,
 * while it plays, the time since that event arrived. The plugin runs after rrweb's own handling
 * of the same event, so its result is the one that stays.
 *
 * The replica is always muted: the agent is often on a call with the customer, and muted media
 * may play without a user gesture. A document without scripts shows native controls on every
 * video (browsers do that so such media stays usable); they are hidden unless the customer's
 * video has them too.
 */
import type { ReplayPlugin } from 'rrweb';

const INCREMENTAL_SNAPSHOT = 3;
const MEDIA_INTERACTION = 7;
const Media = { Play: 0, Pause: 1, Seeked: 2, VolumeChange: 3, RateChange: 4 } as const;

export const MEDIA_STYLE_RULES = [
  'video:not([controls])::-webkit-media-controls { display: none !important; }',
];

interface MediaState {
  playing: boolean;
  /** The customer's position (s) when `at` (console clock, ms) was taken. */
  time: number;
  at: number;
  rate: number;
}

function isMedia(node: unknown): node is HTMLMediaElement {
  return !!node && ((node as Node).nodeName === 'VIDEO' || (node as Node).nodeName === 'AUDIO');
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Where the customer's media is now, by the state it reported. */
export function positionOf(state: MediaState, now: number): number {
  return state.playing ? state.time + ((now - state.at) / 1000) * state.rate : state.time;
}

/**
 * @example new Replayer([], { plugins: [createMediaPlugin()], insertStyleRules: MEDIA_STYLE_RULES })
 */
export function createMediaPlugin(now: () => number = () => performance.now()): ReplayPlugin {
  const states = new WeakMap<HTMLMediaElement, MediaState>();

  const apply = (el: HTMLMediaElement): void => {
    const state = states.get(el);
    if (!state) return;
    try {
      el.muted = true;
      if (el.playbackRate !== state.rate && state.rate > 0) el.playbackRate = state.rate;
      // Before metadata, a seek is not possible yet: `loadedmetadata` applies it again.
      if (el.readyState >= 1) {
        let to = positionOf(state, now());
        if (Number.isFinite(el.duration)) to = el.loop ? to % el.duration : Math.min(to, el.duration);
        if (Math.abs(el.currentTime - to) > 0.05) el.currentTime = to;
      }
      if (state.playing) void el.play().catch(() => undefined);
      else el.pause();
    } catch {
      // a media element that cannot play here stays as it is
    }
  };

  const track = (el: HTMLMediaElement, state: MediaState): void => {
    const first = !states.has(el);
    states.set(el, state);
    // After every other listener of the event (rrweb seeks by its own clock there too).
    if (first) el.addEventListener('loadedmetadata', () => queueMicrotask(() => apply(el)));
    apply(el);
  };

  return {
    onBuild(node, { replayer }) {
      if (!isMedia(node)) return;
      const meta = replayer.getMirror().getMeta(node) as { attributes?: Record<string, unknown> } | null;
      const attrs = meta?.attributes ?? {};
      const playing = attrs['rr_mediaState'] === 'played' || (attrs['rr_mediaState'] === undefined && node.hasAttribute('autoplay'));
      track(node, { playing, time: num(attrs['rr_mediaCurrentTime']) ?? 0, at: now(), rate: num(attrs['rr_mediaPlaybackRate']) ?? 1 });
    },
    handler(event, _isSync, { replayer }) {
      if (event.type !== INCREMENTAL_SNAPSHOT) return;
      const data = event.data as unknown as Record<string, unknown>;
      if (data['source'] !== MEDIA_INTERACTION) return;
      const el = replayer.getMirror().getNode(num(data['id']) ?? -1);
      if (!isMedia(el)) return;
      const before = states.get(el);
      const type = data['type'];
      const playing = type === Media.Play ? true : type === Media.Pause ? false : (before?.playing ?? false);
      const time = num(data['currentTime']) ?? (before ? positionOf(before, now()) : el.currentTime);
      track(el, { playing, time, at: now(), rate: num(data['playbackRate']) ?? before?.rate ?? 1 });
    },
  };
}
