/**
 * A home node that only stalled (docs/SCALING.md): three server processes on one real Redis and
 * one real Postgres; the home is paused with SIGSTOP past its hold, so the others take it for dead
 * (one session is ended as lost, the customer of another resumes elsewhere), then resumed with
 * SIGCONT. It must not bring either session back, and it tells the sockets it still held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION, encodeDomFrame, type LiveSessionListItem } from '@samepage/protocol';
import type { SessionRecord } from './cluster/cluster.ts';
import { connect, joinAs, startHostSession } from './relay/test-clients.ts';
import { consoleCall } from './http/api-test-client.ts';
import type { NodeProc } from './testing/cluster.ts';
import { at, clusterUnavailable, loginAdmin, openHost, startCluster, startInProcessCluster, waitUntil as eventually } from './testing/cluster-harness.ts';

const skip = clusterUnavailable();

test('a home that stalled past its hold and came back does not bring back the session another node ended, nor the one that moved; it tells the sockets it held', { skip: skip ? `skipped: ${skip}` : false, timeout: 90_000 }, async (t) => {
  // Grace 5 s: a node's sessions are held 6 s after its last heartbeat; its heartbeat expires after 4 s.
  const { nodes, sql, siteKey, track, redisClient } = await startCluster(t, { nodes: 3, env: { HOST_RESUME_GRACE_MS: '5000' } });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  const bus = redisClient();
  const cookieA = await loginAdmin(A);
  const cookieB = await loginAdmin(B);
  const liveOnB = async () => (await consoleCall(at(B), cookieB, 'GET', '/api/sessions/live')).body.sessions as LiveSessionListItem[];
  const startOn = async (node: NodeProc) => {
    const host = track(await openHost(node, siteKey));
    host.send({ type: 'session_start' });
    const created = await host.next('session_created');
    host.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([1])));
    return { host, created };
  };

  // Two customers on A. The first has an agent on B and one on A itself; the second none.
  const first = await startOn(A);
  const onB = await joinAs(at(B), cookieB, first.created.code);
  track(onB.agent);
  onB.agent.send({ type: 'invite_create' });
  const onA = await joinAs(at(A), cookieA, (await onB.agent.next('invite_created')).code);
  track(onA.agent);
  const second = await startOn(A);
  const [s1, s2] = [first.created.sessionId, second.created.sessionId];
  await eventually(async () => (await liveOnB()).length === 2, 'both sessions listed');
  const record = JSON.parse((await bus.get(`sp:session:${s1}`))!) as SessionRecord;
  const [nodeA, tenant] = [record.home, record.tenantId];

  // A stalls. Once its heartbeat has expired, the second customer resumes on C (within the hold).
  A.kill('SIGSTOP');
  t.after(() => A.kill('SIGCONT'));
  await eventually(async () => (await bus.exists(`sp:alive:${nodeA}`)) === 0, "A's heartbeat expired");
  const resumed = track(await connect(at(C)));
  resumed.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${C.url}/`, title: 'Shop' }, resume: { sessionId: s2, token: second.created.resumeToken } });
  assert.equal((await resumed.next('welcome')).resumed?.sessionId, s2);
  // The first one's customer does not resume: once A's hold is over, it is ended as lost.
  const ended = await onB.agent.next('session_ended', 20_000);
  assert.deepEqual([ended.endedBy, ended.reason], ['system', 'home_lost']);
  await eventually(async () => (await liveOnB()).map((s) => s.id).join() === s2, 'only the moved session listed');

  // A comes back. The sockets it held for the ended session are told it ended, as the others were;
  // the moved session's old customer socket is closed as replaced.
  A.kill('SIGCONT');
  for (const socket of [first.host, onA.agent]) {
    const told = await socket.next('session_ended', 10_000);
    assert.deepEqual([told.endedBy, told.reason], ['system', 'home_lost']);
  }
  assert.equal((await second.host.closed).code, 4409);

  // Two heartbeats of A later, neither session is back: not in A's share of the live list, not in
  // its sessions index, no record rewritten; listed once, the moved one from C.
  const back = Date.now();
  await eventually(async () => Number(await bus.get(`sp:alive:${nodeA}`)) > back + 1500, 'A beating again');
  assert.deepEqual(await bus.hkeys(`sp:state:live:${tenant}:${nodeA}`), [], "nothing in A's share of the live list");
  assert.deepEqual(await bus.hkeys(`sp:homed:${nodeA}`), [], "nothing in A's sessions index");
  assert.equal(await bus.exists(`sp:session:${s1}`), 0, 'the ended session has no record');
  assert.notEqual((JSON.parse((await bus.get(`sp:session:${s2}`))!) as SessionRecord).home, nodeA, "the moved session's record still names its new home");
  const live = await liveOnB();
  assert.deepEqual(live.map((s) => [s.id, s.reconnecting]), [[s2, false]]);

  // Ended once: the history keeps the lost end, one audit entry; the moved session goes on.
  const history = await sql.query<{ id: string; end_reason: string | null }>('select id, end_reason from sessions where id = any($1) order by started_at', [[s1, s2]]);
  assert.deepEqual(history.rows.map((r) => [r.id, r.end_reason]), [[s1, 'home_lost'], [s2, null]]);
  assert.equal((await sql.query("select 1 from audit_log where session_id = $1 and action = 'session.end'", [s1])).rowCount, 1, 'one audit entry');

  // A is a home again for new sessions.
  const third = await startOn(A);
  await eventually(async () => (await liveOnB()).some((s) => s.id === third.created.sessionId), "A's new session listed");
});

test('a home that stalled while Redis lost its keys (restarted empty) keeps its sessions: the history says they did not end, so it writes them back', { skip: skip ? `skipped: ${skip}` : false, timeout: 60_000 }, async (t) => {
  const { servers, redisClient } = await startInProcessCluster(t, { servers: 1 });
  const server = servers[0]!;
  const bus = redisClient();
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.terminate());
  const sid = created.sessionId;
  const node = server.relay.cluster.nodeId;
  await eventually(async () => (await bus.exists(`sp:session:${sid}`)) === 1, 'the session record written');

  // Redis loses everything, and this process stalls past its heartbeat's expiry (4 s).
  await bus.flushall();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4500);

  // Back: the session is still its own. Its record, its row and its index entry are written back.
  await eventually(async () => (await bus.exists(`sp:session:${sid}`)) === 1, 'the record written back');
  assert.equal((JSON.parse((await bus.get(`sp:session:${sid}`))!) as SessionRecord).home, node);
  await eventually(async () => (await bus.hexists(`sp:homed:${node}`, sid)) === 1, 'the index entry written back');
  const tenant = server.relay.sessions.get(sid)!.tenantId;
  await eventually(async () => (await bus.hexists(`sp:state:live:${tenant}:${node}`, sid)) === 1, 'the live row written back');
  assert.equal(server.relay.sessions.get(sid)?.ended, false);
  assert.ok(!host.messages.some((m) => m.type === 'session_ended'), 'the customer was not told it ended');
  assert.equal(server.relay.cluster.mayActAsHome(), true);
});
