/**
 * Scale-out: three server processes on one Redis and one Postgres form one Samepage. A customer
 * on node A and agents on B, C and A share a session; then node A is killed and the customer
 * resumes on B.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, type ServerMessage } from '@samepage/protocol';
import { connect, joinAs, startHostSession, type TestClient } from './relay/test-clients.ts';
import type { NodeProc } from './testing/cluster.ts';
import { at, clusterUnavailable, loginAdmin, startCluster, waitUntil as waitFor } from './testing/cluster-harness.ts';

const skip = clusterUnavailable();

/** This test's waits are on messages already flowing: 5 s, looked at every 20 ms. */
const waitUntil = (check: () => boolean, what: string) => waitFor(check, what, { timeoutMs: 5000, everyMs: 20 });

const chatTexts = (c: TestClient) => c.messages.filter((m): m is Extract<ServerMessage, { type: 'chat_message' }> => m.type === 'chat_message').map((m) => `${m.message.seq}:${m.message.text}`);

test('three nodes on Redis and Postgres share one session, and it survives the loss of the customer’s node', { skip: skip ? `skipped: ${skip}` : false, timeout: 90_000 }, async (t) => {
  const started = Date.now();
  // All three boot at once: bootstrap must create one demo tenant, not three.
  const { nodes, sql, siteKey } = await startCluster(t, { nodes: 3, env: { HOST_RESUME_GRACE_MS: '30000' } });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  const tenants = await sql.query('select id from tenants');
  assert.equal(tenants.rowCount, 1, 'one demo tenant after a concurrent first start');

  // The customer on A; agent 1 on B redeems A's code; agent 1 invites, agent 2 on C and agent 3 on A use the codes.
  const { host, created } = await startHostSession(at(A), siteKey);
  t.after(() => host.ws.terminate());
  const cookies = await Promise.all(nodes.map(loginAdmin));
  const a1 = await joinAs(at(B), cookies[1]!, created.code);
  a1.agent.send({ type: 'invite_create' });
  const codeForC = (await a1.agent.next('invite_created')).code;
  const a2 = await joinAs(at(C), cookies[2]!, codeForC);
  a1.agent.send({ type: 'invite_create' });
  const a3 = await joinAs(at(A), cookies[0]!, (await a1.agent.next('invite_created')).code);
  const agents = [a1, a2, a3];
  for (const a of agents) t.after(() => a.agent.ws.terminate());

  // Late join: each got the keyframe from the home's cache, wherever it is.
  await waitUntil(() => agents.every((a) => a.agent.frames.length === 1), 'late-join keyframe on every agent');
  // Live DOM stream: a delta reaches every agent.
  host.ws.send(encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: 1 }, new Uint8Array([2])));
  await waitUntil(() => agents.every((a) => a.agent.frames.length === 2), 'delta on every agent');
  // Presence: everyone sees the same four participants.
  assert.deepEqual(a3.joined.participants.map((p) => p.role).sort(), ['agent', 'agent', 'agent', 'host']);
  await waitUntil(() => host.messages.filter((m) => m.type === 'participant_joined').length === 3, 'host sees three agents');
  await waitUntil(() => a1.agent.messages.filter((m) => m.type === 'participant_joined').length === 2, 'agent 1 sees two more agents');

  // Control across nodes: agent 2 on C asks, the customer on A grants, everyone is told.
  a2.agent.send({ type: 'control_request' });
  const asked = await host.next('control_requested');
  assert.equal(asked.participantId, a2.joined.participantId);
  host.send({ type: 'control_grant', participantId: a2.joined.participantId });
  for (const a of agents) {
    await waitUntil(() => a.agent.messages.some((m) => m.type === 'control_state' && m.reason === 'granted' && m.controllerId === a2.joined.participantId), 'control_state granted');
  }
  a2.agent.send({ type: 'control_action', actionId: 1, action: { kind: 'click', target: { id: 5, x: 1, y: 1 } } });
  assert.equal((await host.next('control_action')).participantId, a2.joined.participantId);
  a1.agent.send({ type: 'control_action', actionId: 2, action: { kind: 'click', target: { id: 5, x: 1, y: 1 } } });
  assert.equal((await a1.agent.next('control_result')).failure, 'not_controller', 'the home checks control for a console on another node');

  // Chat: one order for everyone.
  host.send({ type: 'chat_send', clientId: 'h1', text: 'hello from the customer' });
  a1.agent.send({ type: 'chat_send', clientId: 'b1', text: 'hello from B' });
  a2.agent.send({ type: 'chat_send', clientId: 'c1', text: 'hello from C' });
  await waitUntil(() => [host, ...agents.map((a) => a.agent)].every((c) => chatTexts(c).length === 3), 'three chat messages everywhere');
  const order = chatTexts(host);
  for (const a of agents) assert.deepEqual(chatTexts(a.agent), order);
  assert.deepEqual(order.map((x) => x.split(':')[0]), ['1', '2', '3']);

  // Kill the customer's node. Its agent (3) goes; the customer resumes on B with its token.
  A.kill('SIGKILL');
  await A.exited;
  await a3.agent.closed;
  const killedAt = Date.now();
  const resumed = await connect(at(B));
  t.after(() => resumed.ws.terminate());
  resumed.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${B.url}/`, title: 'Shop' }, resume: { sessionId: created.sessionId, token: created.resumeToken } });
  const welcome = await resumed.next('welcome');
  assert.equal(welcome.resumed?.sessionId, created.sessionId);
  const reset = await resumed.next('control_state');
  assert.equal(reset.controllerId, null);
  resumed.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: welcome.resumed!.nextEpoch, seq: welcome.resumed!.nextSeq }, new Uint8Array([3])));
  // Surviving agents keep their membership, hear that control was reset, and see the page again.
  for (const a of [a1, a2]) {
    await waitUntil(() => a.agent.frames.length >= 3, 'the new keyframe after failover');
    assert.ok(a.agent.messages.some((m) => m.type === 'control_state' && m.reason === 'reset' && m.controllerId === null), 'control reset announced');
  }
  const seenAgain = Date.now() - killedAt;
  assert.ok(seenAgain < 5000, `agents saw the page again ${seenAgain} ms after the kill`);
  // No chat message is lost, and numbering continues.
  a2.agent.send({ type: 'chat_sync', afterSeq: 0 });
  const history = await a2.agent.next('chat_history');
  assert.deepEqual(history.messages.map((m) => `${m.seq}:${m.text}`), order);
  a1.agent.send({ type: 'chat_send', clientId: 'b2', text: 'still here' });
  await waitUntil(() => chatTexts(resumed).includes('4:still here') && chatTexts(a2.agent).includes('4:still here'), 'chat after failover');
  // Control works again through the new home.
  a1.agent.send({ type: 'control_request' });
  assert.equal((await resumed.next('control_requested')).participantId, a1.joined.participantId);
  t.diagnostic(`multi-node run: ${Date.now() - started} ms; page back on agents ${seenAgain} ms after the kill`);
});
