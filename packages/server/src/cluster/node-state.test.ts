/** The cluster-wide tables (node-state.ts) on the in-process bus, with two nodes sharing it and a clock the test moves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { MemoryBus } from './bus.ts';
import { Cluster, type ClusterOptions } from './cluster.ts';
import { coalesce } from './coalesce.ts';

const log = pino({ level: 'silent' });
const noHandlers = { onEnvelope: () => undefined, onFrames: () => undefined, onSnapshot: () => undefined };

async function twoNodes(t: import('node:test').TestContext, options: ClusterOptions = {}) {
  let now = 1_000_000;
  const bus = new MemoryBus(() => now);
  const one = new Cluster(bus, log, options);
  const two = new Cluster(bus, log, options);
  await one.start(noHandlers);
  await two.start(noHandlers);
  t.after(() => Promise.all([one.stop(), two.stop()]));
  return { one, two, advance: (ms: number) => (now += ms) };
}

test("a node reads every live node's share of a table, and hears each change", async (t) => {
  const { one, two } = await twoNodes(t);
  const heard: string[] = [];
  two.state.onChange('visitors', (tenant) => heard.push(tenant));
  one.state.put('visitors', 'ten_a', 'v1', '{"n":1}');
  one.state.put('visitors', 'ten_b', 'v2', '{"n":2}');
  two.state.put('visitors', 'ten_a', 'v3', '{"n":3}');
  const rows = await two.state.read('visitors', 'ten_a');
  assert.deepEqual(rows.map((r) => [r.node === one.nodeId ? 'one' : 'two', r.field]).sort(), [['one', 'v1'], ['two', 'v3']]);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(heard.sort(), ['ten_a', 'ten_a', 'ten_b'], "the other node's changes and its own");
  one.state.remove('visitors', 'ten_a', 'v1');
  assert.deepEqual((await two.state.read('visitors', 'ten_a')).map((r) => r.field), ['v3']);
});

test("a node whose heartbeat has expired stops counting, though its share is still on the bus", async (t) => {
  const { one, two, advance } = await twoNodes(t);
  one.state.put('agents', 'ten_a', 'consoles', '2');
  assert.equal((await two.state.read('agents', 'ten_a')).length, 1);
  await one.stop(); // a clean stop deletes its share at once
  assert.equal((await two.state.read('agents', 'ten_a')).length, 0);
  const three = new Cluster(two.bus, log);
  await three.start(noHandlers);
  t.after(() => three.stop());
  three.state.put('agents', 'ten_a', 'consoles', '1');
  assert.equal((await two.state.read('agents', 'ten_a')).length, 1);
  advance(5_000); // no heartbeat for 5 s (the test's clock): dead, share not yet expired
  assert.equal((await two.bus.getFields(`sp:state:agents:ten_a:${three.nodeId}`)).size, 1);
  assert.deepEqual(await two.state.read('agents', 'ten_a'), [], 'a dead node does not count');
  assert.deepEqual(await two.liveNodes(), [two.nodeId], 'and leaves the directory');
});

test("a place (a row of a capped table) is taken atomically up to the limit across nodes; a dead node's rows are held until its hold expires", async (t) => {
  // A resume grace of 10 s: a dead node's rows are held 11 s, and its share of `live` outlives that (30 s).
  const { one, two, advance } = await twoNodes(t, { resumeGraceMs: 10_000 });
  const takes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((sid, i) => (i % 2 ? two : one).state.putIfFewer('live', 'ten_a', sid, '{}', 3)));
  assert.deepEqual(takes, [1, 2, 3, null, null], 'three places, counted over both nodes');
  assert.equal(await one.state.putIfFewer('live', 'ten_a', 'a', '{"v":2}', 3), 3, 'a row already placed is rewritten, not counted twice');
  assert.equal(await one.state.putIfFewer('live', 'ten_b', 'x', '{}', 3), 1, 'each tenant has its own places');
  one.state.remove('live', 'ten_a', 'c');
  assert.equal(await two.state.putIfFewer('live', 'ten_a', 'd', '{}', 3), 3, 'a removed row gives its place back');
  advance(5_000); // node one stops beating (the test's clock): dead, but it holds its rows for the resume grace
  await two.state.refresh(); // node two's heartbeat
  assert.deepEqual((await two.state.read('live', 'ten_a')).map((r) => r.field).sort(), ['b', 'd'], 'read: live nodes only');
  assert.deepEqual((await two.state.readHeld('live', 'ten_a')).map((r) => [r.field, r.down ?? false]).sort(), [['a', true], ['b', false], ['d', false]], 'readHeld: and the dead node, marked');
  assert.equal(await two.state.putIfFewer('live', 'ten_a', 'e', '{}', 3), null, "the dead node's place is held");
  advance(one.holdMs);
  await two.state.refresh();
  assert.equal(await two.state.putIfFewer('live', 'ten_a', 'e', '{}', 3), 3, 'and given back when its hold expires');
  assert.deepEqual((await two.state.readHeld('live', 'ten_a')).map((r) => r.field).sort(), ['b', 'd', 'e']);
});

test('coalesce: one run at a time per key; calls meanwhile fold into one more run', async () => {
  const runs: string[] = [];
  let release: () => void = () => undefined;
  const run = coalesce(async (key) => {
    runs.push(key);
    if (runs.length === 1) await new Promise<void>((r) => (release = r));
  });
  run('a');
  run('a');
  run('a');
  run('b');
  assert.deepEqual(runs, ['a', 'b']);
  release();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(runs, ['a', 'b', 'a'], 'the two calls made during the first run became one');
});
