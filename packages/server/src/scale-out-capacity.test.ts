/**
 * Scale-out, the places of a capacity plan and the sessions of a node that died (docs/SCALING.md):
 * server processes on one real Redis and one real Postgres. A place is taken atomically across
 * nodes, given back when a session ends or its node dies; a dead node's session stays listed and
 * counted while its customer may still resume it, and moves with its visitor's "in a session" mark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, type LiveSessionListItem, type ServerMessage, type ServerMessageOf } from '@samepage/protocol';
import { connect, joinAs, type TestClient } from './relay/test-clients.ts';
import { consoleCall } from './http/api-test-client.ts';
import type { NodeProc } from './testing/cluster.ts';
import { at, clusterUnavailable, loginAdmin, openConsole, openHost, openPresence, shownInSession, startCluster, waitUntil } from './testing/cluster-harness.ts';

const skip = clusterUnavailable();

const eventually = (check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) => waitUntil(check, what, { timeoutMs });

/** The answer to a session_start: the session, or the error (taken off the client's list either way). */
async function started(host: TestClient): Promise<ServerMessageOf<'session_created'> | ServerMessageOf<'error'>> {
  let found: ServerMessage | undefined;
  await eventually(() => (found = host.messages.find((m) => m.type === 'session_created' || m.type === 'error')) !== undefined, 'an answer to session_start');
  host.messages.splice(host.messages.indexOf(found!), 1);
  return found as ServerMessageOf<'session_created'> | ServerMessageOf<'error'>;
}

/** Asks again until a place is free. */
async function startWhenFree(host: TestClient): Promise<ServerMessageOf<'session_created'>> {
  let answer: Awaited<ReturnType<typeof started>> | null = null;
  await eventually(async () => {
    host.send({ type: 'session_start' });
    answer = await started(host);
    if (answer.type === 'error') assert.equal(answer.code, 'capacity_reached');
    return answer.type === 'session_created';
  }, 'a free place');
  return answer! as ServerMessageOf<'session_created'>;
}

test('a capacity plan is a reservation: concurrent starts on two nodes take exactly its places, which come back when a session ends or its node dies', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  // Grace 6 s: a dead node's sessions are held 7 s after its last heartbeat (docs/SCALING.md).
  const { nodes, sql, siteKey, track } = await startCluster(t, { nodes: 2, env: { HOST_RESUME_GRACE_MS: '6000' } });
  const [A, B] = nodes as [NodeProc, NodeProc];
  const LIMIT = 4;
  await sql.query(`update tenants set plan = '{"kind":"capacity","limit":${LIMIT}}'`);
  const hosts = await Promise.all(Array.from({ length: 12 }, (_, i) => openHost(i % 2 === 0 ? A : B, siteKey).then(track)));
  const nodeOf = new Map(hosts.map((h, i) => [h, i % 2 === 0 ? A : B]));

  // Twelve customers, six on each node, start at the same moment: exactly four get a session.
  for (const host of hosts) host.send({ type: 'session_start' });
  const answers = await Promise.all(hosts.map(started));
  const admitted = hosts.filter((_, i) => answers[i]!.type === 'session_created');
  const refused = hosts.filter((_, i) => answers[i]!.type === 'error');
  assert.equal(admitted.length, LIMIT, `admitted ${admitted.length} of 12 for a plan of ${LIMIT}`);
  for (const [i, a] of answers.entries()) if (a.type === 'error') assert.equal(a.code, 'capacity_reached', `host ${i}`);
  const cookie = await loginAdmin(A);
  assert.equal((await consoleCall(at(A), cookie, 'GET', '/api/usage')).body.liveSessions, LIMIT);

  // One ends: one more customer gets its place, and the next one is refused.
  const ending = admitted.shift()!;
  ending.send({ type: 'session_end' });
  await ending.next('session_ended');
  const waiting = refused.shift()!;
  await startWhenFree(waiting);
  admitted.push(waiting);
  const another = refused.shift()!;
  another.send({ type: 'session_start' });
  const full = await started(another);
  assert.equal(full.type === 'error' && full.code, 'capacity_reached', 'four places, four sessions');

  // The node with the most sessions dies: its places are held while its customers may resume
  // elsewhere, then come back, and no more than those.
  const onA = admitted.filter((h) => nodeOf.get(h) === A).length;
  const [victim, survivor] = onA >= LIMIT - onA ? [A, B] : [B, A];
  const freed = admitted.filter((h) => nodeOf.get(h) === victim).length;
  assert.ok(freed >= 2);
  victim.kill('SIGKILL');
  await victim.exited;
  const late = await Promise.all(Array.from({ length: freed + 1 }, () => openHost(survivor, siteKey).then(track)));
  late[0]!.send({ type: 'session_start' });
  const held = await started(late[0]!);
  assert.equal(held.type === 'error' && held.code, 'capacity_reached', "the dead node's places are held at first");
  for (const host of late.slice(0, freed)) await startWhenFree(host);
  const last = late[freed]!;
  last.send({ type: 'session_start' });
  const after = await started(last);
  assert.equal(after.type === 'error' && after.code, 'capacity_reached', `the dead node gave back its ${freed} places, not more`);
});

test("a session whose node died stays listed and counted, as reconnecting, until its customer resumes on another node; its visitor's mark moves with it; a node that stops gives its places back at once", { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const { nodes, sql, siteKey, track } = await startCluster(t, { nodes: 3, env: { HOST_RESUME_GRACE_MS: '30000' } });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  const cookie = await loginAdmin(C);
  const liveOnC = async () => (await consoleCall(at(C), cookie, 'GET', '/api/sessions/live')).body.sessions as LiveSessionListItem[];
  const usageOnC = async () => (await consoleCall(at(C), cookie, 'GET', '/api/usage')).body.liveSessions as number;

  // Vera's presence tab is on C, watched by a console on C; her co-browsing tab starts a session on A.
  track((await openPresence(C, siteKey, { id: 'u-vera', name: 'Vera' })).tab);
  const agent = track(await openConsole(C, cookie));
  agent.send({ type: 'visitors_subscribe' });
  const veraInSession = () => shownInSession(agent, 'u-vera');
  const visitor = { id: 'u-vera', name: 'Vera' };
  const host = track(await openHost(A, siteKey, { visitor }));
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  await eventually(() => veraInSession() === true, 'Vera shown in a session');
  await eventually(async () => (await liveOnC()).some((s) => s.id === created.sessionId && !s.reconnecting), 'the session listed on C');

  // A dies. Once its heartbeat has expired, C still lists the session, as reconnecting, and counts it.
  A.kill('SIGKILL');
  await A.exited;
  await eventually(async () => (await liveOnC()).some((s) => s.id === created.sessionId && s.reconnecting), "the dead node's session listed as reconnecting");
  assert.equal(await usageOnC(), 1, 'and counted');

  // The customer resumes on B: listed once, no longer reconnecting.
  const resumed = track(await connect(at(B)));
  resumed.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${B.url}/`, title: 'Shop' }, visitor, resume: { sessionId: created.sessionId, token: created.resumeToken } });
  assert.equal((await resumed.next('welcome')).resumed?.sessionId, created.sessionId);
  await eventually(async () => {
    const live = await liveOnC();
    return live.length === 1 && live[0]!.id === created.sessionId && !live[0]!.reconnecting;
  }, 'the resumed session listed once, from B');
  assert.equal(await usageOnC(), 1);

  // It ends on B: gone from the list at once (not left behind as the dead node's), and Vera's mark is cleared by B.
  resumed.send({ type: 'session_end' });
  await resumed.next('session_ended');
  await eventually(async () => (await liveOnC()).length === 0, 'the ended session off the list', 5000);
  await eventually(() => veraInSession() === false, "Vera's mark cleared by the session's new home", 5000);

  // A node that stops (SIGTERM) gives its places back at once, not after the 30 s hold of a node that died.
  await sql.query(`update tenants set plan = '{"kind":"capacity","limit":1}'`);
  const onB = track(await openHost(B, siteKey));
  onB.send({ type: 'session_start' });
  await onB.next('session_created');
  const onC = track(await openHost(C, siteKey));
  onC.send({ type: 'session_start' });
  assert.equal((await onC.next('error')).code, 'capacity_reached');
  B.kill('SIGTERM');
  await B.exited;
  await startWhenFree(onC);
});

test('a resume keeps the place its session still holds; one whose place was given back takes a free one in the same atomic step, or, the plan full, ends the session with capacity_reached for everyone', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  const { nodes, sql, siteKey, track } = await startCluster(t, { nodes: 3, env: { HOST_RESUME_GRACE_MS: '30000' } });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  await sql.query(`update tenants set plan = '{"kind":"capacity","limit":2}'`);
  const cookie = await loginAdmin(C);
  const liveOnC = async () => (await consoleCall(at(C), cookie, 'GET', '/api/sessions/live')).body.sessions as LiveSessionListItem[];
  const resumeOn = async (node: NodeProc, created: ServerMessageOf<'session_created'>) => {
    const tab = track(await connect(at(node)));
    tab.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${node.url}/`, title: 'Shop' }, resume: { sessionId: created.sessionId, token: created.resumeToken } });
    return tab;
  };

  // Two sessions on A take both places; an agent on C is in the first.
  const [s, u] = [track(await openHost(A, siteKey)), track(await openHost(A, siteKey))];
  s.send({ type: 'session_start' });
  const first = await s.next('session_created');
  u.send({ type: 'session_start' });
  const second = await u.next('session_created');
  const agent = track((await joinAs(at(C), cookie, first.code)).agent);

  // A dies: both places are held for its customers, who resume on B and keep them; nobody else gets one.
  A.kill('SIGKILL');
  await A.exited;
  for (const created of [first, second]) assert.equal((await (await resumeOn(B, created)).next('welcome')).resumed?.sessionId, created.sessionId, 'resumed where its place was held');
  const newcomer = track(await openHost(C, siteKey));
  newcomer.send({ type: 'session_start' });
  assert.equal((await newcomer.next('error')).code, 'capacity_reached', 'the resumed sessions kept their two places, no more');

  // B stops cleanly: its places go back at once, and a newcomer on C takes one.
  B.kill('SIGTERM');
  await B.exited;
  await startWhenFree(newcomer);
  // The second customer resumes on C: its place was given back, and it takes the free one.
  assert.equal((await (await resumeOn(C, second)).next('welcome')).resumed?.sessionId, second.sessionId, 'resumed into the last free place');
  // The first resumes on C: no place left. It is refused and told why, and the session ends for everyone.
  const refused = await resumeOn(C, first);
  const told = await refused.next('session_ended');
  assert.deepEqual([told.endedBy, told.reason], ['system', 'capacity_reached']);
  assert.equal((await refused.next('error')).code, 'capacity_reached');
  const agentTold = await agent.next('session_ended', 10_000);
  assert.deepEqual([agentTold.endedBy, agentTold.reason], ['system', 'capacity_reached']);
  await eventually(async () => (await sql.query('select 1 from sessions where id = $1 and end_reason = $2', [first.sessionId, 'capacity_reached'])).rowCount === 1, 'the history row closed');
  const audits = await sql.query<{ detail: string }>("select detail from audit_log where session_id = $1 and action = 'session.end'", [first.sessionId]);
  assert.deepEqual(audits.rows.map((r) => JSON.parse(r.detail).reason), ['capacity_reached']);
  const live = await liveOnC();
  assert.equal(live.length, 2, 'two places, two sessions');
  assert.ok(!live.some((l) => l.id === first.sessionId));
  // Asked again, it has ended.
  assert.equal((await (await resumeOn(C, first)).next('error')).code, 'session_ended');
});
