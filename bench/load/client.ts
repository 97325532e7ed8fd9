/**
 * A load-test client process (spawned by run.ts; talks over IPC). It opens simulated sessions:
 * one customer socket replaying the recorded demo-shop stream at real pace, and two viewer
 * sockets (agent consoles) per session. Each DOM frame carries its send time (performance
 * clock, shared by processes on one machine) right after the 12-byte header, with FLAG_DEFLATE
 * off; viewers compute receive − send. The server does not read payloads either way.
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, FLAG_KEYFRAME } from '@samepage/protocol';
import type { Recording } from './record.ts';
import { FIXTURE } from './record.ts';

export type ClientCommand =
  | { cmd: 'open'; n: number; hostUrl: string; viewerUrls: [string, string]; siteKey: string; cookies: [string, string]; origin: string; concurrency: number }
  | { cmd: 'reset' }
  | { cmd: 'stats' }
  | { cmd: 'stop' };

export interface ClientStats {
  sessions: number;
  latencies: number[];
  framesSent: number;
  framesReceived: number;
  disconnects: number;
  refused: Record<string, number>;
  failed: number;
}

const recording = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Recording;
const frames = recording.frames.filter((f) => f.kind !== 'j');
const now = () => performance.timeOrigin + performance.now();

let latencies: number[] = [];
let framesSent = 0;
let framesReceived = 0;
let disconnects = 0;
let failed = 0;
const refused: Record<string, number> = {};
const sessions: Array<{ sockets: WebSocket[]; timer: NodeJS.Timeout | null }> = [];
let stopping = false;

function open(url: string, origin: string, cookie?: string): Promise<{ ws: WebSocket; next: (type: string) => Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers: { origin, ...(cookie ? { cookie } : {}) }, perMessageDeflate: false });
    const inbox: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const buf = data as Buffer;
        if (buf.length >= 20) {
          latencies.push(now() - buf.readDoubleBE(12));
          framesReceived += 1;
        }
        return;
      }
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (m.type === 'error') refused[String(m.code)] = (refused[String(m.code)] ?? 0) + 1;
      inbox.push(m);
      for (const w of waiters.splice(0)) w();
    });
    const next = (type: string) =>
      new Promise<Record<string, unknown>>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timeout waiting for ${type}`)), 20_000);
        const check = () => {
          const err = inbox.find((m) => m.type === 'error');
          if (err) return clearTimeout(timer), rej(new Error(`error ${String(err.code)}`));
          const i = inbox.findIndex((m) => m.type === type);
          if (i >= 0) return clearTimeout(timer), res(inbox.splice(i, 1)[0]!);
          waiters.push(check);
        };
        check();
      });
    ws.once('open', () => resolve({ ws, next }));
    ws.once('error', reject);
    ws.once('close', (code) => {
      if (!stopping && code !== 1000) disconnects += 1;
      for (const w of waiters.splice(0)) w();
    });
  });
}

function frame(flags: number, epoch: number, seq: number, bytes: number): Buffer {
  const buf = Buffer.alloc(Math.max(20, bytes));
  buf[0] = 1;
  buf[1] = flags;
  buf.writeUInt32BE(epoch, 4);
  buf.writeUInt32BE(seq, 8);
  buf.writeDoubleBE(now(), 12);
  return buf;
}

/** Replays the recording in a loop at real pace, from a random offset. */
function replay(ws: WebSocket, slot: { timer: NodeJS.Timeout | null }): void {
  let seq = 0;
  let epoch = 1;
  ws.send(frame(FLAG_KEYFRAME, epoch, seq++, frames.find((f) => f.kind === 'k')?.bytes ?? 4000));
  let i = Math.floor(Math.random() * frames.length);
  let base = now() - (frames[i]?.t ?? 0);
  const tick = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    const f = frames[i]!;
    const keyframe = f.kind === 'k';
    if (keyframe) epoch += 1;
    ws.send(frame(keyframe ? FLAG_KEYFRAME : 0, epoch, seq++, f.bytes));
    framesSent += 1;
    i += 1;
    if (i >= frames.length) {
      i = 0;
      base = now();
    }
    slot.timer = setTimeout(tick, Math.max(0, base + frames[i]!.t - now()));
  };
  slot.timer = setTimeout(tick, Math.max(0, base + frames[i]!.t - now()));
  ws.on('message', (data, isBinary) => {
    // The cache bound: answer keyframe_needed with a keyframe, as the SDK does.
    if (!isBinary && String(data).includes('"keyframe_needed"')) ws.send(frame(FLAG_KEYFRAME, ++epoch, seq++, 4000));
  });
}

async function openSession(c: Extract<ClientCommand, { cmd: 'open' }>): Promise<void> {
  const slot: { sockets: WebSocket[]; timer: NodeJS.Timeout | null } = { sockets: [], timer: null };
  try {
    const host = await open(c.hostUrl, c.origin);
    slot.sockets.push(host.ws);
    host.ws.send(JSON.stringify({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: c.siteKey, page: { url: c.origin + '/', title: 'Shop' } }));
    await host.next('welcome');
    host.ws.send(JSON.stringify({ type: 'session_start' }));
    const created = await host.next('session_created');
    for (let v = 0; v < 2; v++) {
      const viewer = await open(c.viewerUrls[v]!, c.viewerUrls[v]!, c.cookies[v]);
      slot.sockets.push(viewer.ws);
      viewer.ws.send(JSON.stringify({ type: 'agent_hello', v: PROTOCOL_VERSION }));
      await viewer.next('welcome');
      viewer.ws.send(JSON.stringify(v === 0 ? { type: 'join', code: created.code } : { type: 'join_session', sessionId: created.sessionId }));
      await viewer.next('joined');
    }
    sessions.push(slot);
    replay(host.ws, slot);
  } catch {
    failed += 1;
    for (const ws of slot.sockets) ws.terminate();
  }
}

async function openMany(c: Extract<ClientCommand, { cmd: 'open' }>): Promise<void> {
  let left = c.n;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      await openSession(c);
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
}

const reply = (m: unknown) => process.send?.(m);
process.on('message', (c: ClientCommand) => {
  if (c.cmd === 'open') void openMany(c).then(() => reply({ ok: true, sessions: sessions.length, failed }));
  else if (c.cmd === 'reset') {
    latencies = [];
    framesSent = 0;
    framesReceived = 0;
    reply({ ok: true });
  } else if (c.cmd === 'stats') {
    const stats: ClientStats = { sessions: sessions.length, latencies, framesSent, framesReceived, disconnects, refused, failed };
    reply(stats);
  } else if (c.cmd === 'stop') {
    stopping = true;
    for (const s of sessions) {
      if (s.timer) clearTimeout(s.timer);
      for (const ws of s.sockets) ws.terminate();
    }
    reply({ ok: true });
    setTimeout(() => process.exit(0), 100);
  }
});
process.on('disconnect', () => process.exit(0));
