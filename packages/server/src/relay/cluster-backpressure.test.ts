/**
 * Backpressure across nodes (docs/SCALING.md): the customer on node A, two viewers on node B, one
 * Redis, one Postgres. A viewer on B that stops reading is bounded on B, and the home (A) stops
 * publishing its DOM frames to the bus until it has caught up; then it gets a fresh keyframe.
 * And when the bus itself stops taking bytes, the home's backlog towards it is bounded too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { encodeDomFrame, FLAG_KEYFRAME } from '@samepage/protocol';
import { startServer } from '../server.ts';
import { postgresUnavailable, startPostgres } from '../testing/postgres.ts';
import { redisUnavailable, startRedis } from '../testing/cluster.ts';
import { MAX_BUS_BACKLOG_BYTES } from '../cluster/cluster.ts';
import { joinAs, login, startHostSession, type TestClient } from './test-clients.ts';

const skip = postgresUnavailable() ?? redisUnavailable();
const rawSocket = (client: TestClient) => (client.ws as unknown as { _socket: Socket })._socket;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

test('a slow viewer on another node is bounded there, and the home stops publishing its frames until it catches up; the bus backlog is bounded', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const postgres = await startPostgres();
  const redis = await startRedis();
  const env = { DATABASE_URL: postgres.createDatabase(), REDIS_URL: redis.url, VIEWER_MAX_BUFFERED_BYTES: String(64 * 1024), MAX_SESSION_CACHE_BYTES: String(4 * 1024 * 1024) };
  const a = await startServer({ env });
  const b = await startServer({ env });
  t.after(async () => {
    redis.proc.child.kill('SIGCONT');
    await Promise.all([a.close(), b.close()]);
    redis.proc.kill('SIGKILL');
    await postgres.stop();
  });
  const { host, created } = await startHostSession(a);
  const cookie = await login(b);
  const slow = await joinAs(b, cookie, created.code);
  slow.agent.send({ type: 'invite_create' });
  const healthy = await joinAs(b, cookie, (await slow.agent.next('invite_created')).code);
  t.after(() => [host, slow.agent, healthy.agent].forEach((c) => c.ws.terminate()));
  await until(() => slow.agent.frames.length === 1 && healthy.agent.frames.length === 1, 'the keyframe on both viewers');

  // The slow viewer stops reading. Deltas go on until its node has told the home it is behind.
  rawSocket(slow.agent).pause();
  const payload = new Uint8Array(32 * 1024).fill(7);
  let seq = 0;
  const sendDeltas = async (n: number) => {
    for (let i = 0; i < n; i++) host.ws.send(encodeDomFrame({ flags: 0, epoch: 1, seq: ++seq }, payload));
    await until(() => healthy.agent.frames.length === 1 + seq, 'every delta on the healthy viewer');
  };
  while (a.relay.cluster.pausedViewers === 0 && seq < 2000) await sendDeltas(20);
  assert.equal(a.relay.cluster.pausedViewers, 1, `the home was told the viewer is behind (after ${seq} deltas)`);
  assert.ok(slow.agent.frames.length < 1 + seq, 'the slow viewer did not get everything');

  // From now on the home does not publish the slow viewer's frames; the healthy one gets them all.
  const heldBefore = a.relay.cluster.framesHeldForPaused;
  await sendDeltas(50);
  assert.equal(a.relay.cluster.framesHeldForPaused - heldBefore, 50, 'all 50 held back at the home, none sent over the bus for it');
  assert.equal(b.relay.flow.viewersBehind, 1);

  // It reads again: it drains, says so, and gets a fresh keyframe and the live stream after it.
  rawSocket(slow.agent).resume();
  await until(() => a.relay.cluster.pausedViewers === 0, 'the home hears the viewer caught up');
  const fresh = encodeDomFrame({ flags: FLAG_KEYFRAME, epoch: 2, seq: 0 }, new Uint8Array([9]));
  const next = encodeDomFrame({ flags: 0, epoch: 2, seq: 1 }, new Uint8Array([10]));
  host.ws.send(fresh);
  host.ws.send(next);
  await until(() => slow.agent.frames.at(-1)?.equals(next) === true, 'the live stream on the slow viewer again').catch((err) => {
    const hdr = (f?: Buffer) => f && `${f[1]}/${f.readUInt32BE(4)}/${f.byteLength}`;
    console.error('DEBUG', slow.agent.frames.length, seq, slow.agent.frames.slice(-5).map(hdr), JSON.stringify(b.relay.flow), a.relay.cluster.pausedViewers, a.relay.cluster.framesHeldForPaused, JSON.stringify(slow.agent.messages));
    throw err;
  });
  assert.ok(slow.agent.frames.at(-2)?.equals(fresh), 'the fresh keyframe first');

  // The bus stops taking bytes (Redis frozen): the home queues at most MAX_BUS_BACKLOG_BYTES, then drops DOM frames.
  const big = new Uint8Array(512 * 1024).fill(3);
  redis.proc.child.kill('SIGSTOP');
  let maxBacklog = 0;
  try {
    for (let i = 0; i < 64; i++) {
      host.ws.send(encodeDomFrame({ flags: 0, epoch: 2, seq: 2 + i }, big));
      if (i % 8 === 7) {
        await sleep(20);
        maxBacklog = Math.max(maxBacklog, a.relay.deps.bus.backlogBytes());
      }
    }
    await until(() => a.relay.cluster.framesDroppedAtBus > 0, 'frames dropped at the bus bound');
    maxBacklog = Math.max(maxBacklog, a.relay.deps.bus.backlogBytes());
  } finally {
    redis.proc.child.kill('SIGCONT');
  }
  assert.ok(maxBacklog <= MAX_BUS_BACKLOG_BYTES + big.byteLength + 64 * 1024, `the backlog stayed bounded: ${maxBacklog} bytes`);
  // The viewers see the gap and ask for a keyframe; here the customer simply sends one.
  const after = encodeDomFrame({ flags: FLAG_KEYFRAME, epoch: 3, seq: 0 }, new Uint8Array([11]));
  host.ws.send(after);
  await until(() => healthy.agent.frames.at(-1)?.equals(after) === true, 'the stream on the other node after the bus recovered');
  t.diagnostic(`slow viewer behind after ${seq - 50} deltas of 32 KB; bus backlog peaked at ${maxBacklog} bytes; ${a.relay.cluster.framesDroppedAtBus} frames dropped at the bus bound`);
});
