/**
 * The reference viewer (bundled with esbuild): rrweb 2.2.2 `Replayer` in live mode with default
 * options, fed one event per WebSocket message. Exposes the replica document to the probe.
 */
import { Replayer } from 'rrweb';

declare global {
  interface Window {
    __refReplayer?: Replayer;
  }
}

const cfg = window.__refConfig;
const root = document.getElementById('replay') ?? document.body;
const replayer = new Replayer([], { liveMode: true, root });
replayer.startLive();
window.__refReplayer = replayer;
window.__benchReplicaDoc = () => replayer.iframe.contentDocument;

const ws = new WebSocket(`${cfg.relay}?role=viewer&room=${encodeURIComponent(cfg.room)}`);
ws.onmessage = (ev) => {
  if (typeof ev.data === 'string') replayer.addEvent(JSON.parse(ev.data));
};
