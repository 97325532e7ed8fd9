/** The cluster-wide tables (node-state.ts) on the in-process bus, with two nodes sharing it and a clock the test moves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { MemoryBus } from './bus.ts';
import { Cluster } from './cluster.ts';
import { coalesce } from './coalesce.ts';

const log = pino({ level: 'silent' });
const noHandlers = { onEnvelope: () => undefined, onFrames: () => undefined, onSnapshot: () => undefined };

async function twoNodes(t: import('node:test').TestContext) {
  let now = 1_000_000;
  const bus = new MemoryBus(() => now);
  const one = new Cluster(bus, log);
  const two = new Cluster(bus, log);
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
