/**
 * E2EE across nodes: the customer on node A, an agent on node B (one Redis, one Postgres). The
 * agent's encrypted frames travel to the session's home over the bus as opaque bytes, are policed
 * there, and the customer's ciphertext comes back the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../server.ts';
import { clusterUnavailable, startInProcessCluster } from '../testing/cluster-harness.ts';
import { createE2eeSite, e2eeFrame, joinE2ee, login, startE2eeHost } from './test-clients.ts';

const skip = clusterUnavailable();
const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `waited for ${what}`);
};

test('an agent on another node sends and receives encrypted frames through the bus, policed at the home node', { skip: skip ? `skipped: ${skip}` : false, timeout: 60_000 }, async (t) => {
  const { servers } = await startInProcessCluster(t, { servers: 2 });
  const [a, b] = servers as [RunningServer, RunningServer];
  const site = await createE2eeSite(a);
  const { host, created } = await startE2eeHost(a, site.siteKey);
  const agent = await joinE2ee(b, await login(b), created.code);
  t.after(() => [host, agent.agent].forEach((c) => c.ws.close()));
  assert.equal(agent.member, 1);

  const keyframe = e2eeFrame({ type: 'dom_keyframe', epoch: 4, seq: 1 }, 400);
  const key = e2eeFrame({ type: 'key', to: 1, epoch: 4, seq: 1 });
  host.ws.send(keyframe);
  host.ws.send(key);
  await until(() => agent.agent.frames.length === 2, 'the customer’s frames on node B');
  assert.deepEqual(agent.agent.frames, [keyframe, key], 'byte for byte, in order');

  const chat = e2eeFrame({ type: 'chat', sender: 1, epoch: 4, seq: 1 });
  agent.agent.ws.send(chat);
  await until(() => host.frames.some((f) => f.equals(chat)), 'the agent’s chat at the customer on node A');
  agent.agent.ws.send(e2eeFrame({ type: 'chat', sender: 1, epoch: 4, seq: 1 }));
  const replay = await agent.agent.next('error');
  assert.equal(replay.code, 'e2ee_seq_replay', 'the home node polices frames from other nodes too');
});
