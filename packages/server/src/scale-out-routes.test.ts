/**
 * Scale-out, the HTTP routes about one live session (docs/SCALING.md): three server processes on
 * one Redis and one Postgres. `GET /api/v1/sessions/:id` shows the same `live` part on every node,
 * and `POST /api/v1/sessions/:id/end` works on a node that is not the session's home: the home
 * ends it, everyone in it sees the end, and the audit log has the request. With the home dead, the
 * caller gets `session_home_unreachable`, not a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERMISSIONS } from '@samepage/protocol';
import { joinAs, startHostSession } from './relay/test-clients.ts';
import { bearer, consoleCall } from './http/api-test-client.ts';
import type { NodeProc } from './testing/cluster.ts';
import { at, clusterUnavailable, loginAdmin, startCluster } from './testing/cluster-harness.ts';

const skip = clusterUnavailable();

type AuditEntry = { action: string; actorType: string; detail: Record<string, unknown> };

/** The audit log's `session.end_requested` entries for one session (the action filter is a prefix). */
async function endRequests(call: ReturnType<typeof bearer>, sid: string): Promise<AuditEntry[]> {
  const res = await call('GET', `/audit?action=session.end&session=${sid}`);
  assert.equal(res.status, 200, res.text);
  return (res.body.entries as AuditEntry[]).filter((e) => e.action === 'session.end_requested');
}

test('any node shows a live session the same and ends it through its home; a dead home is reported, not waited for', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const { nodes, siteKey } = await startCluster(t, { nodes: 3, env: { HOST_RESUME_GRACE_MS: '30000' } });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  const cookieB = await loginAdmin(B);
  const minted = await consoleCall(at(B), cookieB, 'POST', '/api/tokens', { name: 'helpdesk', permissions: PERMISSIONS });
  assert.equal(minted.status, 201);
  const api = nodes.map((n) => bearer(at(n), minted.body.token as string));
  const [onA, onB, onC] = api as [ReturnType<typeof bearer>, ReturnType<typeof bearer>, ReturnType<typeof bearer>];

  // The customer on A, an agent on B.
  const { host, created } = await startHostSession(at(A), siteKey);
  t.after(() => host.ws.terminate());
  const { agent, joined } = await joinAs(at(B), cookieB, created.code);
  t.after(() => agent.ws.terminate());
  const sid = created.sessionId;

  // The live part, asked of each node: the home answers from memory, the others ask it.
  const views = await Promise.all(api.map((call) => call('GET', `/sessions/${sid}`)));
  for (const view of views) assert.equal(view.status, 200, view.text);
  const live = views[0]!.body.live;
  assert.equal(live.page.title, 'Shop');
  assert.deepEqual(live.participants.map((p: { role: string }) => p.role).sort(), ['agent', 'host']);
  assert.ok(live.participants.some((p: { id: string }) => p.id === joined.participantId));
  assert.deepEqual(views[1]!.body.live, live, 'B (the agent’s node) shows what A shows');
  assert.deepEqual(views[2]!.body.live, live, 'C (neither) shows what A shows');

  // Ended through C: the home (A) ends it; the customer on A and the agent on B see it end.
  const ended = await onC('POST', `/sessions/${sid}/end`);
  assert.equal(ended.status, 200, ended.text);
  assert.deepEqual(ended.body, { sessionId: sid, endedBy: 'system', reason: 'ended_by_api' }, 'the same answer as on the home');
  const seenByHost = await host.next('session_ended');
  assert.deepEqual([seenByHost.endedBy, seenByHost.reason], ['system', 'ended_by_api']);
  const seenByAgent = await agent.next('session_ended');
  assert.deepEqual([seenByAgent.endedBy, seenByAgent.reason], ['system', 'ended_by_api']);
  const requested = await endRequests(onA, sid);
  assert.equal(requested.length, 1, 'one audit entry, readable from any node');
  assert.deepEqual([requested[0]!.actorType, requested[0]!.detail.via], ['api_token', 'api']);
  const again = await onB('POST', `/sessions/${sid}/end`);
  assert.deepEqual([again.status, again.body.error.code], [404, 'session_not_found'], 'an ended session is not found on any node');
  for (const call of api) assert.equal((await call('GET', `/sessions/${sid}`)).body.live, null);

  // A second session on A, then A dies: B cannot reach the home and says so; GET still answers.
  const second = await startHostSession(at(A), siteKey);
  t.after(() => second.host.ws.terminate());
  assert.notEqual((await onC('GET', `/sessions/${second.created.sessionId}`)).body.live, null);
  A.kill('SIGKILL');
  await A.exited;
  const killedAt = Date.now();
  const unreachable = await onB('POST', `/sessions/${second.created.sessionId}/end`);
  const answeredAfter = Date.now() - killedAt;
  assert.deepEqual([unreachable.status, unreachable.body.error.code], [503, 'session_home_unreachable']);
  const orphan = await onC('GET', `/sessions/${second.created.sessionId}`);
  assert.deepEqual([orphan.status, orphan.body.live], [200, null], 'the stored session, with no live part while no node holds it');
  assert.equal((await endRequests(onB, second.created.sessionId)).length, 0, 'nothing ended, nothing audited');
  t.diagnostic(`with the home killed, the end request was answered session_home_unreachable after ${answeredAfter} ms`);
});
