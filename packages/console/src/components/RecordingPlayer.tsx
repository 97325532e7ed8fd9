/** The recording player: the replayed page, Play/Pause, a Position timeline with chat, control and navigation markers, and Speed. */
import { useEffect, useRef, useState } from 'react';
import { buildReplicaCsp } from '@samepage/protocol';
import { fetchRecordingEvents, type RecordedEvent, type RecordingDetail, type RecordingMarker } from '../api-recordings.ts';
import { t } from '../i18n/index.ts';
import { formatOffset } from '../i18n/en-recordings.ts';
import { createRecordingPlayer, type RecordingPlayer } from '../replica/recording-player.ts';

const SPEEDS = [0.5, 1, 2, 4];
const TICK_MS = 200;
const STEP_MS = 100;

declare global {
  interface Window {
    /** For e2e tests: the recording player on screen (read-only). */
    __samepageRecording?: { document(): Document | null; position(): number; duration: number };
  }
}

const kindLabel = (m: RecordingMarker) => (m.kind === 'chat' ? t.recordings.kindChat : m.kind === 'control' ? t.recordings.kindControl : t.recordings.kindNavigation);

/** `events`: already at hand (an end-to-end encrypted recording decrypted in this tab, EncryptedRecordingPlayer.tsx); otherwise fetched. */
export function RecordingPlayerView({ detail, events }: { detail: RecordingDetail; events?: readonly RecordedEvent[] }) {
  const stage = useRef<HTMLDivElement>(null);
  const player = useRef<RecordingPlayer | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'empty' | 'failed'>('loading');
  const [duration, setDuration] = useState(0);
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const { sessionId, eventsStartAt, allowedOrigins } = detail.recording;

  useEffect(() => {
    let cancelled = false;
    void (events ? Promise.resolve({ ok: true as const, value: events }) : fetchRecordingEvents(sessionId)).then((result) => {
      if (cancelled || !stage.current) return;
      if (!result.ok) return setState('failed');
      if (!result.value.some((e) => e.type === 2)) return setState('empty');
      const p = createRecordingPlayer(stage.current, result.value, buildReplicaCsp(allowedOrigins));
      p.onFinish(() => setPlaying(false));
      player.current = p;
      window.__samepageRecording = { document: () => p.document(), position: () => p.position(), duration: p.duration };
      setDuration(p.duration);
      setState('ready');
    });
    return () => {
      cancelled = true;
      player.current?.destroy();
      player.current = null;
      delete window.__samepageRecording;
    };
  }, [sessionId, allowedOrigins, events]);

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const p = player.current;
      if (!p) return;
      setPosition(p.position());
      if (!p.playing()) setPlaying(false);
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing]);

  const seek = (ms: number) => {
    player.current?.seek(ms);
    setPosition(Math.min(duration, Math.max(0, ms)));
    setPlaying(player.current?.playing() ?? false);
  };
  const toggle = () => {
    const p = player.current;
    if (!p) return;
    if (p.playing()) p.pause();
    else p.play();
    setPlaying(p.playing());
    setPosition(p.position());
  };
  const sliderMax = Math.ceil(duration / STEP_MS) * STEP_MS;
  const offsetOf = (m: RecordingMarker) => Math.min(duration, Math.max(0, m.at - eventsStartAt));

  return (
    <div className="recording-player">
      <div className="recording-stage" ref={stage} data-testid="recording-stage" />
      {state === 'loading' && <p className="muted">{t.recordings.loadingEvents}</p>}
      {state === 'failed' && <p className="muted" role="alert">{t.loadFailed}</p>}
      {state === 'empty' && <p className="muted">{t.recordings.empty}</p>}
      {state === 'ready' && (
        <div className="recording-controls">
          <button type="button" className="button button-primary button-small" onClick={toggle}>
            {playing ? t.recordings.pause : t.recordings.play}
          </button>
          <div className="recording-timeline">
            <input
              type="range"
              aria-label={t.recordings.position}
              min={0}
              // A whole number of steps, so End reaches the end (seek clamps to the duration).
              max={sliderMax}
              step={STEP_MS}
              // On the step grid: a value the browser would snap makes React see a change that was not made.
              value={position >= duration ? sliderMax : Math.floor(position / STEP_MS) * STEP_MS}
              aria-valuetext={t.recordings.positionText(position, duration)}
              onChange={(e) => seek(Number(e.target.value))}
            />
            <div className="recording-markers" role="group" aria-label={t.recordings.markers}>
              {detail.markers.map((m, i) => {
                const at = offsetOf(m);
                const name = t.recordings.marker(kindLabel(m), formatOffset(at), m.label);
                return (
                  <button
                    key={`${m.kind}-${m.at}-${i}`}
                    type="button"
                    className={`recording-marker recording-marker-${m.kind}`}
                    style={{ left: `${duration > 0 ? (at / duration) * 100 : 0}%` }}
                    aria-label={name}
                    title={name}
                    onClick={() => seek(at)}
                  />
                );
              })}
            </div>
          </div>
          <span className="recording-time muted" aria-hidden="true">
            {t.recordings.positionText(position, duration)}
          </span>
          <label className="recording-speed">
            <span>{t.recordings.speed}</span>
            <select
              value={speed}
              onChange={(e) => {
                const next = Number(e.target.value);
                setSpeed(next);
                player.current?.setSpeed(next);
              }}
            >
              {SPEEDS.map((s) => (
                <option key={s} value={s}>{`${s}×`}</option>
              ))}
            </select>
          </label>
        </div>
      )}
    </div>
  );
}
