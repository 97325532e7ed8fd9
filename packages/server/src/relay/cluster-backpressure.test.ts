/**
 * Backpressure across nodes (docs/SCALING.md): the customer on node A, two viewers on node B, one
 * Redis, one Postgres. A viewer on B that stops reading is bounded on B, and the home (A) stops
 * publishing its DOM frames to the bus until it has caught up; then it gets a fresh keyframe.
 * And when the bus itself stops taking bytes, the home's backlog towards it is bounded too.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { encodeDomFrame, FLAG_KEYFRAME } from '@samepage/protocol';
import type { RunningServer } from '../server.ts';
import { clusterUnavailable, startInProcessCluster } from '../testing/cluster-harness.ts';
import { MAX_BUS_BACKLOG_BYTES } from '../cluster/cluster.ts';
import { joinAs, login, startHostSession, type TestClient } from './test-clients.ts';

const skip = clusterUnavailable();
const rawSocket = (client: TestClient) => (client.ws as unknown as { _socket: Socket })._socket;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Node A holds the customer's session; B the viewers. One Redis, one Postgres. */
async function startPair(t: TestContext) {
  // The cleanup continues redis-server first: a test pauses it.
  const { servers, redis } = await startInProcessCluster(t, { servers: 2, env: { VIEWER_MAX_BUFFERED_BYTES: String(64 * 1024), MAX_SESSION_CACHE_BYTES: String(4 * 1024 * 1024) } });
  const [a, b] = servers as [RunningServer, RunningServer];
  const { host, created } = await startHostSession(a);
  const cookie = await login(b);
  const first = await joinAs(b, cookie, created.code);
  first.agent.send({ type: 'invite_create' });
  const second = await joinAs(b, cookie, (await first.agent.next('invite_created')).code);
  t.after(() => [host, first.agent, second.agent].forEach((c) => c.ws.terminate()));
  await until(() => first.agent.frames.length === 1 && second.agent.frames.length === 1, 'the keyframe on both viewers');
  return { a, b, redis, host, viewers: [first.agent, second.agent] as const };
}

/** One sample of the node's /metrics, by its exact name (no labels). */
async function metric(server: RunningServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} at /metrics`);
  return Number(line.slice(name.length + 1));
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

test('a slow viewer on another node is bounded there, and the home stops publishing its frames until it catches up', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const { a, b, host, viewers } = await startPair(t);
  const [slow, healthy] = viewers;

  // The slow viewer stops reading. Deltas go on until its node has told the home it is behind.
  rawSocket(slow).pause();
  const payload = new Uint8Array(32 * 1024).fill(7);
  let seq = 0;
  const sendDeltas = async (n: number) => {
    for (let i = 0; i < n; i++) host.ws.send(encodeDomFrame({ flags: 0, epoch: 1, seq: ++seq }, payload));
    await until(() => healthy.frames.length === 1 + seq, 'every delta on the healthy viewer');
  };
  while (a.relay.cluster.pausedViewers === 0 && seq < 2000) await sendDeltas(20);
  const behindAfter = seq;
  assert.equal(a.relay.cluster.pausedViewers, 1, `the home was told the viewer is behind (after ${seq} deltas)`);
  assert.ok(slow.frames.length < 1 + seq, 'the slow viewer did not get everything');

  // From now on the home does not publish the slow viewer's frames; the healthy one gets them all.
  const heldBefore = a.relay.cluster.framesHeldForPaused;
  const heldMetricBefore = await metric(a, 'samepage_cluster_frames_held_total');
  await sendDeltas(50);
  assert.equal(a.relay.cluster.framesHeldForPaused - heldBefore, 50, 'all 50 held back at the home, none sent over the bus for it');
  assert.equal(b.relay.flow.viewersBehind, 1);
  // The operator sees it at /metrics on the home: the counter moved by 50, one viewer paused, the bus healthy.
  assert.equal((await metric(a, 'samepage_cluster_frames_held_total')) - heldMetricBefore, 50);
  assert.equal(await metric(a, 'samepage_cluster_viewers_paused'), 1);
  assert.equal(await metric(a, 'samepage_cluster_bus_connected'), 1);
  assert.equal(await metric(a, 'samepage_cluster_nodes_alive'), 2);
  assert.equal(await metric(a, 'samepage_cluster_frames_dropped_total'), 0);
  assert.equal(await metric(b, 'samepage_cluster_viewers_paused'), 0, 'B publishes to nobody behind');

  // It reads again: it drains, asks the home for the cache, then gets the live stream after it.
  rawSocket(slow).resume();
  await until(() => a.relay.cluster.pausedViewers === 0, 'the home hears the viewer caught up');
  const fresh = encodeDomFrame({ flags: FLAG_KEYFRAME, epoch: 2, seq: ++seq }, new Uint8Array([9]));
  const next = encodeDomFrame({ flags: 0, epoch: 2, seq: ++seq }, new Uint8Array([10]));
  host.ws.send(fresh);
  host.ws.send(next);
  await until(() => slow.frames.at(-1)?.equals(next) === true, 'the live stream on the slow viewer again');
  assert.ok(slow.frames.at(-2)?.equals(fresh), 'the keyframe first');
  assert.ok(healthy.frames.at(-1)?.equals(next), 'the healthy viewer too');
  t.diagnostic(`slow viewer reported behind after ${behindAfter} deltas of 32 KB`);
});

test('when the bus stops taking bytes, the home queues at most MAX_BUS_BACKLOG_BYTES towards it, then drops DOM frames', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const { a, redis, host, viewers } = await startPair(t);
  const big = new Uint8Array(512 * 1024).fill(3);
  let seq = 0;
  let maxBacklog = 0;
  // Redis frozen: nothing it is sent leaves the kernel's buffers, then the publisher's.
  redis.proc.child.kill('SIGSTOP');
  try {
    for (let i = 0; i < 64; i++) {
      host.ws.send(encodeDomFrame({ flags: 0, epoch: 1, seq: ++seq }, big));
      if (i % 4 === 3) {
        await sleep(10);
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
  const after = encodeDomFrame({ flags: FLAG_KEYFRAME, epoch: 2, seq: ++seq }, new Uint8Array([11]));
  host.ws.send(after);
  for (const viewer of viewers) await until(() => viewer.frames.at(-1)?.equals(after) === true, 'the stream on the other node after the bus recovered');

  // The backlog at /metrics: Redis frozen again with four frames waiting for it (far from any bound),
  // and a scrape still answers, though the count of live nodes cannot be read from Redis meanwhile.
  redis.proc.child.kill('SIGSTOP');
  try {
    for (let i = 0; i < 4; i++) host.ws.send(encodeDomFrame({ flags: 0, epoch: 2, seq: ++seq }, big));
    await until(() => a.relay.deps.bus.backlogBytes() >= 4 * big.byteLength, 'four frames waiting for the bus');
    assert.ok((await metric(a, 'samepage_cluster_bus_backlog_bytes')) >= 4 * big.byteLength, 'the backlog at /metrics');
  } finally {
    redis.proc.child.kill('SIGCONT');
  }
  const dropped = a.relay.cluster.framesDroppedAtBus;
  assert.ok(dropped > 0);
  assert.equal(await metric(a, 'samepage_cluster_frames_dropped_total'), dropped, 'the drops at /metrics');
  t.diagnostic(`bus backlog peaked at ${maxBacklog} bytes; ${a.relay.cluster.framesDroppedAtBus} of 64 frames of 512 KB dropped at the bound`);
});
