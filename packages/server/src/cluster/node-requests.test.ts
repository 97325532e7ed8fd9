/** Questions between nodes (node-requests.ts), on the in-process bus with two or three nodes sharing it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { MemoryBus } from './bus.ts';
import { Cluster, type ClusterHandlers } from './cluster.ts';
import { NodeUnreachable } from './node-requests.ts';

const log = pino({ level: 'silent' });
const silent: ClusterHandlers = { onEnvelope: () => undefined, onFrames: () => undefined, onSnapshot: () => undefined };

test('a node answers a question from another; a silent node times out, a dead one fails at once', async (t) => {
  let now = 1_000_000;
  const bus = new MemoryBus(() => now);
  const asking = new Cluster(bus, log);
  const home = new Cluster(bus, log);
  const mute = new Cluster(bus, log);
  const asked: string[] = [];
  await asking.start(silent);
  await home.start({
    ...silent,
    onEnvelope: (e) => {
      if (e.t !== 'ask') return;
      asked.push(`${e.ask.q}:${e.ask.sid}`);
      home.send(e.from, { t: 'answer', id: e.id, answer: { ended: e.ask.sid === 'ses_here' } });
    },
  });
  await mute.start(silent);
  t.after(() => Promise.all([asking.stop(), home.stop(), mute.stop()]));

  assert.deepEqual(await asking.requests.ask(home.nodeId, { q: 'end_session', sid: 'ses_here', tenantId: 'ten_a' }), { ended: true });
  assert.deepEqual(await asking.requests.ask(home.nodeId, { q: 'end_session', sid: 'ses_gone', tenantId: 'ten_a' }), { ended: false });
  assert.deepEqual(asked, ['end_session:ses_here', 'end_session:ses_gone']);

  // Alive but never answering: given up on after the timeout, and counted.
  await assert.rejects(asking.requests.ask(mute.nodeId, { q: 'session_live', sid: 'ses_x', tenantId: 'ten_a' }, 20), NodeUnreachable);
  assert.equal(asking.requests.timedOut, 1);

  // Its heartbeat expired: refused without asking.
  now += 60_000;
  await assert.rejects(asking.requests.ask(home.nodeId, { q: 'end_session', sid: 'ses_here', tenantId: 'ten_a' }, 60_000), NodeUnreachable);
  assert.equal(asked.length, 2, 'a dead node is not asked');
  assert.equal(asking.requests.timedOut, 1);
});
