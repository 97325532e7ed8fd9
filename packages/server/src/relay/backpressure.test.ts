/**
 * Backpressure: a viewer whose socket stops reading is dropped back to a fresh snapshot instead
 * of being buffered; a healthy viewer in the same session gets every frame; the session's memory
 * on the server stays bounded. Also: MAX_SOCKETS refuses one socket too many with server_busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { decodeDomFrameHeader, encodeDomFrame, FLAG_KEYFRAME } from '@samepage/protocol';
import { startServer } from '../server.ts';
import { joinAs, login, startHostSession, type TestClient } from './test-clients.ts';
import { sessionMemoryEstimate } from '../http/metrics.ts';

const MAX_BUFFERED = 256 * 1024;
const FRAME_BYTES = 32 * 1024;
const FRAMES = 600;
const KEYFRAME_EVERY = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rawSocket = (client: TestClient) => (client.ws as unknown as { _socket: Socket })._socket;

test('a viewer that stops reading falls back to a fresh snapshot; the other viewer gets every frame; memory stays bounded', async (t) => {
  const server = await startServer({ env: { VIEWER_MAX_BUFFERED_BYTES: String(MAX_BUFFERED), MAX_SESSION_CACHE_BYTES: String(2 * 1024 * 1024) } });
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.close());
  const cookie = await login(server);
  const stalled = await joinAs(server, cookie, created.code);
  stalled.agent.send({ type: 'invite_create' });
  const invite = await stalled.agent.next('invite_created');
  const healthy = await joinAs(server, cookie, invite.code);
  t.after(() => (stalled.agent.ws.terminate(), healthy.agent.ws.terminate()));
  const session = server.relay.sessions.get(created.sessionId);
  assert.ok(session);
  const stalledMember = session.members.get(stalled.joined.participantId);
  assert.ok(stalledMember);

  // The stalled viewer's client stops reading its TCP socket: the kernel buffers fill, then ws's.
  rawSocket(stalled.agent).pause();
  const healthyBefore = healthy.agent.frames.length;
  const payload = new Uint8Array(FRAME_BYTES).fill(7);
  let epoch = 1;
  let maxQueued = 0;
  let maxMemory = 0;
  let sawBehind = false;
  for (let seq = 1; seq <= FRAMES; seq++) {
    const keyframe = seq % KEYFRAME_EVERY === 0;
    if (keyframe) epoch += 1;
    host.ws.send(encodeDomFrame({ flags: keyframe ? FLAG_KEYFRAME : 0, epoch, seq }, payload));
    if (seq % 10 === 0) {
      await sleep(2);
      maxQueued = Math.max(maxQueued, stalledMember.peer.socket.bufferedAmount);
      maxMemory = Math.max(maxMemory, sessionMemoryEstimate(session));
      sawBehind ||= stalledMember.peer.behind;
    }
  }
  // The healthy viewer receives every frame, in order, whatever the stalled one does.
  const deadline = Date.now() + 10_000;
  while (healthy.agent.frames.length - healthyBefore < FRAMES && Date.now() < deadline) await sleep(10);
  const got = healthy.agent.frames.slice(healthyBefore).map((f) => decodeDomFrameHeader(new Uint8Array(f))?.seq);
  assert.deepEqual(got, Array.from({ length: FRAMES }, (_, i) => i + 1), 'the healthy viewer got every frame in order');

  assert.ok(sawBehind, 'the stalled viewer was marked behind');
  assert.ok(session.flow.framesDropped > 0, 'frames were dropped for the stalled viewer and counted');
  assert.ok(server.relay.flow.framesDropped >= session.flow.framesDropped);
  // Bounded: the server never queued more than the bound plus one frame for it...
  assert.ok(maxQueued <= MAX_BUFFERED + FRAME_BYTES, `queued ${maxQueued} bytes for the stalled viewer`);
  // ...and the session's memory (cache + queues) stayed within cache bound + queue bound + slack.
  assert.ok(maxMemory <= 2 * 1024 * 1024 + FRAME_BYTES + 2 * (MAX_BUFFERED + FRAME_BYTES) + 64 * 1024, `session memory estimate ${maxMemory}`);

  // The stalled viewer reads again: it gets a fresh snapshot (a keyframe), then live frames.
  const stalledBefore = stalled.agent.frames.length;
  rawSocket(stalled.agent).resume();
  const lastSeq = () => decodeDomFrameHeader(new Uint8Array(stalled.agent.frames.at(-1) ?? new Uint8Array()))?.seq;
  while (session.flow.resyncs === 0 && Date.now() < deadline + 10_000) await sleep(20);
  assert.ok(session.flow.resyncs >= 1, 'the viewer was resynced once drained');
  host.ws.send(encodeDomFrame({ flags: 0, epoch, seq: FRAMES + 1 }, payload));
  while (lastSeq() !== FRAMES + 1 && Date.now() < deadline + 20_000) await sleep(20);
  assert.equal(lastSeq(), FRAMES + 1, 'live frames reach the viewer again');
  const headers = stalled.agent.frames.map((f) => decodeDomFrameHeader(new Uint8Array(f))!);
  // Wherever its sequence has a gap (frames dropped), the next frame is a keyframe it can decode from.
  let gaps = 0;
  for (let i = 1; i < headers.length; i++) {
    const prev = headers[i - 1]!;
    const cur = headers[i]!;
    if (cur.seq !== prev.seq + 1 && !(cur.flags & FLAG_KEYFRAME)) assert.fail(`a delta after a gap: ${prev.seq} -> ${cur.seq}`);
    if (cur.seq !== prev.seq + 1) gaps++;
  }
  assert.ok(gaps >= 1, 'frames were skipped');
  assert.ok(stalled.agent.frames.length > stalledBefore);
  assert.equal(server.relay.flow.viewersBehind, 0);
  assert.equal(stalledMember.peer.closed, false, 'the slow viewer is not disconnected');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /samepage_frames_dropped_total [1-9]/);
  assert.match(metrics, /samepage_live_sessions 1/);
  assert.match(metrics, /samepage_session_memory_bytes_max \d+/);
});

test('MAX_SOCKETS: one socket too many is refused with server_busy, not a crash', async (t) => {
  const server = await startServer({ env: { MAX_SOCKETS: '2' } });
  t.after(() => server.close());
  const url = server.url.replace('http', 'ws') + '/ws';
  const open = async () => {
    const ws = new WebSocket(url, { headers: { origin: server.url } });
    const messages: string[] = [];
    ws.on('message', (d) => messages.push(String(d)));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return { ws, messages, closed };
  };
  const a = await open();
  const b = await open();
  const c = await open();
  assert.equal(await c.closed, 1013);
  assert.match(c.messages[0] ?? '', /"code":"server_busy"/);
  a.ws.close();
  await a.closed;
  await sleep(50);
  const d = await open();
  assert.equal(d.ws.readyState, WebSocket.OPEN, 'a slot freed up is usable again');
  b.ws.close();
  d.ws.close();
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /samepage_sockets_refused_total 1/);
});
