/**
 * The reference customer side (bundled with esbuild): rrweb 2.2.2 `record` with default options,
 * one JSON text message per event over a WebSocket to the reference relay.
 * window.__ref.start() connects and starts recording; it resolves once the first FullSnapshot
 * was emitted and handed to the socket.
 */
import { record } from 'rrweb';

export interface RefStartResult {
  /** record() call to FullSnapshot emitted and sent (synchronous part), ms. */
  snapshotSyncMs: number;
  /** UTF-8 bytes of the FullSnapshot event's JSON. */
  snapshotJsonBytes: number;
  snapshotJson: string | null;
}

declare global {
  interface Window {
    __refConfig: { relay: string; room: string; keepSnapshotJson?: boolean };
    __ref: { start(): Promise<RefStartResult>; sentBytes(): number; stop(): void };
  }
}

const now = (): number => performance.timeOrigin + performance.now();
const encoder = new TextEncoder();
let socket: WebSocket | null = null;
let stopRecording: (() => void) | undefined;
let sent = 0;

function start(): Promise<RefStartResult> {
  const cfg = window.__refConfig;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${cfg.relay}?role=host&room=${encodeURIComponent(cfg.room)}`);
    socket = ws;
    ws.onerror = () => reject(new Error('reference relay connection failed'));
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string' && ev.data.includes('"snapshot"')) record.takeFullSnapshot();
    };
    ws.onopen = () => {
      let result: RefStartResult | null = null;
      const t0 = now();
      stopRecording = record({
        emit(event) {
          const json = JSON.stringify(event);
          sent += json.length;
          ws.send(json);
          if (!result && event.type === 2) {
            result = {
              snapshotSyncMs: now() - t0,
              snapshotJsonBytes: encoder.encode(json).byteLength,
              snapshotJson: cfg.keepSnapshotJson ? json : null,
            };
          }
        },
      });
      const done = (): void => {
        if (result) resolve(result);
        else setTimeout(done, 5);
      };
      done();
    };
  });
}

window.__ref = {
  start,
  sentBytes: () => sent,
  stop() {
    stopRecording?.();
    socket?.close();
  },
};
