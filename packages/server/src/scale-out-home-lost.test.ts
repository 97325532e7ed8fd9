/**
 * A session whose home node dies (or stops cleanly) and whose customer never comes back is ended
 * by one surviving node once the resume grace is over (docs/SCALING.md): server processes on one
 * real Redis and one real Postgres, the home killed with SIGKILL or stopped with SIGTERM; and two
 * in-process nodes on the same Redis and Postgres ending one lost session at the same moment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION, encodeDomFrame, type LiveSessionListItem } from '@samepage/protocol';
import type { RunningServer } from './server.ts';
import type { SessionRecord } from './cluster/cluster.ts';
import { sha256 } from './ids.ts';
import { connect, joinAs } from './relay/test-clients.ts';
import { consoleCall } from './http/api-test-client.ts';
import type { NodeProc } from './testing/cluster.ts';
import { at, clusterUnavailable, loginAdmin, openConsole, openHost, openPresence, shownInSession, startCluster, startInProcessCluster, waitUntil as eventually } from './testing/cluster-harness.ts';

const skip = clusterUnavailable();

/** A webhook receiver: the bodies it got. */
async function receiver(t: import('node:test').TestContext) {
  const bodies: Array<{ type: string; data: Record<string, unknown> }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(JSON.parse(body) as { type: string; data: Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

test('a session whose home died and whose customer never resumes is ended once, by one surviving node, for everyone: agents on other nodes, history, audit, webhook, visitor mark, recording; a late resume gets session_ended', { skip: skip ? `skipped: ${skip}` : false, timeout: 120_000 }, async (t) => {
  // Grace 4 s: the dead node's sessions are held 5 s after its last heartbeat, then ended.
  const { nodes, sql, siteKey, track, redisClient } = await startCluster(t, { nodes: 3, env: { HOST_RESUME_GRACE_MS: '4000', WEBHOOK_ALLOW_PRIVATE: 'true' } });
  const [A, B, C] = nodes as [NodeProc, NodeProc, NodeProc];
  const bus = redisClient();
  // The site records its sessions.
  const site = await sql.query<{ id: string; policy: string }>('select id, policy from sites');
  for (const row of site.rows) await sql.query('update sites set policy = $1 where id = $2', [JSON.stringify({ ...JSON.parse(row.policy), recordSessions: true }), row.id]);
  const cookie = await loginAdmin(C);
  const hooks = await receiver(t);
  assert.equal((await consoleCall(at(C), cookie, 'POST', '/api/webhooks', { url: hooks.url, events: ['session.ended'] })).status, 201);
  const liveOnC = async () => (await consoleCall(at(C), cookie, 'GET', '/api/sessions/live')).body.sessions as LiveSessionListItem[];

  // Vera's presence tab is on C, watched by a console on C; her co-browsing tab starts a session on A.
  track((await openPresence(C, siteKey, { id: 'u-vera', name: 'Vera' })).tab);
  const watcher = track(await openConsole(C, cookie));
  watcher.send({ type: 'visitors_subscribe' });
  const veraInSession = () => shownInSession(watcher, 'u-vera');
  const host = track(await openHost(A, siteKey, { visitor: { id: 'u-vera', name: 'Vera' } }));
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  const sid = created.sessionId;
  host.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([1])));

  // Agents on B and C are in the session, through A.
  const onB = await joinAs(at(B), await loginAdmin(B), created.code);
  track(onB.agent);
  onB.agent.send({ type: 'invite_create' });
  const onC = await joinAs(at(C), cookie, (await onB.agent.next('invite_created')).code);
  track(onC.agent);
  await eventually(() => veraInSession() === true, 'Vera shown in a session');
  await eventually(async () => (await liveOnC()).some((s) => s.id === sid), 'the session listed');
  await eventually(async () => (await sql.query('select 1 from recordings where session_id = $1', [sid])).rowCount === 1, 'the recording started');

  // A dies, and the customer never comes back (its socket is gone with A; it does not resume).
  A.kill('SIGKILL');
  await A.exited;
  host.ws.terminate();

  // Once the grace is over, both agents, on two other nodes, are told the session ended.
  for (const agent of [onB.agent, onC.agent]) {
    const ended = await agent.next('session_ended', 30_000);
    assert.deepEqual([ended.endedBy, ended.reason], ['system', 'home_lost']);
  }
  await eventually(async () => (await liveOnC()).length === 0, 'the session off the live list');
  await eventually(() => veraInSession() === false, "Vera's mark cleared");
  const history = () => sql.query<{ ended_at: unknown; ended_by: string; end_reason: string }>('select ended_at, ended_by, end_reason from sessions where id = $1', [sid]);
  await eventually(async () => (await history()).rows[0]!.ended_at !== null, 'the history row has an end');
  const closed = (await history()).rows[0]!;
  assert.deepEqual([closed.ended_by, closed.end_reason], ['system', 'home_lost']);
  await eventually(async () => (await sql.query<{ ended_at: unknown }>('select ended_at from recordings where session_id = $1', [sid])).rows[0]!.ended_at !== null, 'the recording finished');
  await eventually(() => hooks.bodies.some((b) => b.type === 'session.ended'), 'the session.ended webhook');
  const hook = hooks.bodies.find((b) => b.type === 'session.ended')!;
  assert.deepEqual([hook.data.sessionId, hook.data.endedBy, hook.data.reason], [sid, 'system', 'home_lost']);

  // A late resume, on any node, is told the session ended.
  const late = track(await connect(at(B)));
  late.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${B.url}/`, title: 'Shop' }, resume: { sessionId: sid, token: created.resumeToken } });
  assert.equal((await late.next('error')).code, 'session_ended');

  // Once: when the dead node has left the directory, no node can find its sessions again; one audit entry, one webhook.
  await eventually(async () => Object.keys(await bus.hgetall('sp:nodes')).length === 2, 'the dead node out of the directory');
  const audits = await sql.query<{ detail: string }>("select detail from audit_log where session_id = $1 and action = 'session.end'", [sid]);
  assert.equal(audits.rowCount, 1, 'one audit entry');
  assert.equal(JSON.parse(audits.rows[0]!.detail).reason, 'home_lost');
  assert.equal(hooks.bodies.filter((b) => b.type === 'session.ended').length, 1, 'one webhook');
});

test('two nodes that find the same lost session at the same moment end it once; a resume that comes after its grace ends it and gets session_ended', { skip: skip ? `skipped: ${skip}` : false, timeout: 60_000 }, async (t) => {
  const { servers, redisClient } = await startInProcessCluster(t, { servers: 2 });
  const [first, second] = servers as [RunningServer, RunningServer];
  const bus = redisClient();
  // Their own sweeps are off: the test says when each node looks.
  for (const s of [first, second]) s.relay.clusterRouter.homeLost.stop();
  const site = (await first.store.findSiteByKey(first.demoSiteKey))!;
  const policy = await first.relay.publicPolicy(site, null as never);

  // What a node that died with two sessions leaves on Redis once its hold has expired: its place
  // in the directory, its sessions index and the session records (the sessions are in the history).
  const gone = 'node_gone';
  await bus.hset('sp:nodes', gone, String(Date.now()));
  const lost = async (sid: string, token: string) => {
    await first.store.recordSessionStart({ id: sid, tenantId: site.tenantId, siteId: site.id });
    const record: SessionRecord = { home: gone, tenantId: site.tenantId, siteId: site.id, tokenHash: sha256(token), policy, controlRoles: [], page: { url: '', title: '' }, startedAt: Date.now(), formerAgents: [], members: [] };
    await bus.set(`sp:session:${sid}`, JSON.stringify(record));
    await bus.hset(`sp:homed:${gone}`, sid, site.tenantId);
  };
  await lost('ses_lost_a', 'token-a');
  await lost('ses_lost_b', 'token-b');
  const ends = async (sid: string) => (await first.store.db.selectFrom('audit_log').select('detail').where('session_id', '=', sid).where('action', '=', 'session.end').execute()).map((r) => JSON.parse(r.detail).reason as string);

  // Both surviving nodes end the first one at once: one of them does.
  await Promise.all([first.relay.clusterRouter.homeLost.end(gone, 'ses_lost_a'), second.relay.clusterRouter.homeLost.end(gone, 'ses_lost_a')]);
  assert.deepEqual(await ends('ses_lost_a'), ['home_lost'], 'one audit entry');
  assert.equal((await first.store.getSession(site.tenantId, 'ses_lost_a'))?.end_reason, 'home_lost');
  assert.equal(await bus.exists('sp:session:ses_lost_a'), 0, 'its record is gone');

  // The customer of the second one resumes after the grace, before any node has looked: told it ended, and it is ended.
  const late = await connect(second);
  t.after(() => late.ws.terminate());
  late.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: first.demoSiteKey, page: { url: `${second.url}/`, title: 'Shop' }, resume: { sessionId: 'ses_lost_b', token: 'token-b' } });
  assert.equal((await late.next('error')).code, 'session_ended');
  assert.deepEqual(await ends('ses_lost_b'), ['home_lost']);
  await first.relay.clusterRouter.homeLost.sweep();
  assert.deepEqual(await ends('ses_lost_b'), ['home_lost'], 'not ended again');
  assert.equal(await bus.exists(`sp:homed:${gone}`), 0, 'nothing left of the gone node to end');
  assert.equal(await bus.hexists('sp:nodes', gone), 0, 'and it left the directory');
});

test('after a clean stop (SIGTERM) the places go back at once, and a session whose customer does not resume elsewhere is ended after the grace', { skip: skip ? `skipped: ${skip}` : false, timeout: 90_000 }, async (t) => {
  const { nodes, sql, siteKey, track } = await startCluster(t, { nodes: 2, env: { HOST_RESUME_GRACE_MS: '3000' } });
  const [A, B] = nodes as [NodeProc, NodeProc];
  const host = track(await openHost(A, siteKey));
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  const cookie = await loginAdmin(B);
  const onB = await joinAs(at(B), cookie, created.code);
  track(onB.agent);

  // A stops cleanly; the customer's tab is closed by it and does not come back.
  A.kill('SIGTERM');
  await A.exited;
  assert.deepEqual((await consoleCall(at(B), cookie, 'GET', '/api/sessions/live')).body.sessions, [], 'its place went back at once');
  const ended = await onB.agent.next('session_ended', 30_000);
  assert.deepEqual([ended.endedBy, ended.reason], ['system', 'home_lost']);
  await eventually(async () => (await sql.query('select 1 from sessions where id = $1 and end_reason = $2', [created.sessionId, 'home_lost'])).rowCount === 1, 'the history row closed');
});
