/** The public API: every /api/v1 endpoint with a valid token, and with a token lacking the permission, revoked, absent or from another tenant. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERMISSIONS, PROTOCOL_VERSION, type Permission } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect, createAgent, joinAs, login, tenantOf } from '../relay/test-clients.ts';
import { bearer, consoleCall } from './api-test-client.ts';

/** A live session whose customer identified as visitor `cust-1`, plus a chat message from the customer. */
async function liveSession(server: RunningServer) {
  const host = await connect(server);
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/', title: 'Shop' }, visitor: { id: 'cust-1', name: 'Val' } });
  await host.next('welcome');
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  host.send({ type: 'chat_send', clientId: 'c1', text: 'hello from the customer' });
  await host.next('chat_message');
  return { host, sessionId: created.sessionId };
}

test('every /api/v1 endpoint: valid token works; lacking permission 403; revoked, absent or foreign token cannot reach tenant data', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const cookie = await login(server);
  const mint = async (permissions: readonly Permission[], name = 'test') => {
    const res = await consoleCall(server, cookie, 'POST', '/api/tokens', { name, permissions });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.token, /^sp_/);
    return res.body as { token: string; record: { id: string } };
  };
  const full = bearer(server, (await mint(PERMISSIONS, 'full')).token);
  const weak = bearer(server, (await mint(['session.point'], 'weak')).token);
  const revokedToken = await mint(PERMISSIONS, 'revoked');
  assert.equal((await consoleCall(server, cookie, 'DELETE', `/api/tokens/${revokedToken.record.id}`)).status, 204);
  const revoked = bearer(server, revokedToken.token);
  const none = bearer(server, null);
  const other = await server.store.createTenant('Other Inc');
  const foreign = bearer(server, (await server.api.createToken(other.id, 'theirs', [...PERMISSIONS])).token);

  const listed = await consoleCall(server, cookie, 'GET', '/api/tokens');
  assert.equal(listed.body.tokens.length, 3);
  assert.ok(!JSON.stringify(listed.body).includes('sp_') && !JSON.stringify(listed.body).includes('token_hash'), 'secrets are shown once only');

  const visitor = await connect(server);
  t.after(() => visitor.ws.close());
  visitor.send({ type: 'visitor_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url + '/', title: 'Shop' } });
  await visitor.next('welcome');
  const { host, sessionId } = await liveSession(server);
  t.after(() => host.ws.close());
  await new Promise((r) => setTimeout(r, 100));
  const user = await full('POST', '/users', { email: 'api.made@example.test', name: 'Api Made', role: 'agent', password: 'long-enough-pw' });
  assert.equal(user.status, 201);
  const userId: string = user.body.user.id;
  const siteId = (await server.store.findSiteByKey(server.demoSiteKey))!.id;

  // [method, path, body, status with a full token, permission needed, is it an object of the tenant (404 for others)]
  const endpoints: Array<[string, string, unknown, number, boolean]> = [
    ['GET', '/sessions', undefined, 200, false],
    ['GET', `/sessions/${sessionId}`, undefined, 200, true],
    ['POST', `/sessions/${sessionId}/codes`, undefined, 201, true],
    ['GET', `/sessions/${sessionId}/chat`, undefined, 200, true],
    ['GET', `/sessions/${sessionId}/notes`, undefined, 200, true],
    ['POST', `/sessions/${sessionId}/notes`, { text: 'from the helpdesk' }, 201, true],
    ['GET', '/visitors', undefined, 200, false],
    ['GET', '/visitors/cust-1/export', undefined, 200, true],
    ['GET', '/recordings', undefined, 200, false],
    ['GET', '/users', undefined, 200, false],
    ['POST', '/users', { email: 'second@example.test', name: 'Second', role: 'agent', password: 'long-enough-pw' }, 201, false],
    ['PATCH', `/users/${userId}`, { name: 'Renamed' }, 200, true],
    ['GET', '/roles', undefined, 200, false],
    ['POST', '/roles', { key: 'api_role', title: 'API role', permissions: ['session.view'] }, 201, false],
    ['GET', '/sites', undefined, 200, false],
    ['POST', '/sites', { name: 'Second shop', allowedOrigins: ['https://second.example.test'] }, 201, false],
    ['PATCH', `/sites/${siteId}`, { policy: { allowGuests: true } }, 200, true],
    ['GET', '/audit', undefined, 200, false],
    ['GET', '/usage', undefined, 200, false],
    ['GET', '/webhooks', undefined, 200, false],
  ];
  for (const [method, path, body, ok, owned] of endpoints) {
    const label = `${method} ${path}`;
    assert.equal((await none(method, path, body)).status, 401, `${label} without a token`);
    const r = await revoked(method, path, body);
    assert.deepEqual([r.status, r.body.error.code], [401, 'unauthorized'], `${label} with a revoked token`);
    const w = await weak(method, path, body);
    assert.deepEqual([w.status, w.body.error.code], [403, 'forbidden'], `${label} without the permission`);
    // Creating (POST /users, /roles, /sites) with another tenant's token creates in that tenant: not tried here.
    const f = owned || method === 'GET' ? await foreign(method, path, body) : null;
    if (owned) assert.equal(f?.status, 404, `${label} from another tenant`);
    else if (f) assert.ok(!f.text.includes(sessionId) && !f.text.includes('admin@example.test') && !f.text.includes(server.demoSiteKey), `${label} leaks nothing`);
    const res = await full(method, path, body);
    assert.equal(res.status, ok, `${label}: ${res.text}`);
  }

  // What the valid calls answered.
  assert.ok((await full('GET', '/sessions?status=live')).body.sessions.some((s: any) => s.id === sessionId));
  assert.ok(!(await full('GET', '/sessions?status=ended')).body.sessions.some((s: any) => s.id === sessionId));
  assert.equal((await full('GET', '/sessions?limit=abc')).body.error.code, 'invalid_request');
  const detail = await full('GET', `/sessions/${sessionId}`);
  assert.equal(detail.body.session.visitor.id, 'cust-1');
  assert.equal(detail.body.live.page.title, 'Shop');
  assert.equal((await full('GET', `/sessions/${sessionId}/chat`)).body.messages[0].text, 'hello from the customer');
  assert.deepEqual((await full('GET', `/sessions/${sessionId}/notes`)).body.notes.map((n: any) => [n.text, n.userName]), [['from the helpdesk', 'full']]);
  assert.equal((await full('GET', '/visitors')).body.visitors.length, 1);
  assert.equal((await foreign('GET', '/visitors')).body.visitors.length, 0);
  assert.deepEqual((await full('GET', '/recordings')).body.recordings, []);
  assert.equal((await full('GET', '/visitors/cust-1/export')).body.chat[0].text, 'hello from the customer');
  const audit = await full('GET', '/audit?action=user.create');
  assert.equal(audit.body.entries[0].actorType, 'api_token');
  const csv = await full('GET', '/audit?format=csv');
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  assert.equal((await full('GET', '/usage')).body.liveSessions, 1);
  assert.equal((await full('GET', '/users')).body.users.find((u: any) => u.id === userId).name, 'Renamed');

  // A code from the API lets an agent join the live session; the join link opens the console on it.
  const code = await full('POST', `/sessions/${sessionId}/codes`);
  assert.match(code.body.code, /^\d{6}$/);
  assert.equal(code.body.joinUrl, `${server.url}/console/join/${code.body.code}`);
  const { agent, joined } = await joinAs(server, await createAgent(server, 'agent'), code.body.code);
  t.after(() => agent.ws.close());
  assert.equal(joined.sessionId, sessionId);

  // Another tenant's token cannot end the session; a token with session.join_any can, and the customer sees it end.
  assert.equal((await foreign('POST', `/sessions/${sessionId}/end`)).status, 404);
  assert.equal((await weak('POST', `/sessions/${sessionId}/end`)).status, 403);
  assert.equal((await foreign('DELETE', '/visitors/cust-1/data')).body.deleted.sessions, 0);
  const ended = await full('POST', `/sessions/${sessionId}/end`);
  assert.deepEqual(ended.body, { sessionId, endedBy: 'system', reason: 'ended_by_api' });
  const seen = await host.next('session_ended');
  assert.deepEqual([seen.endedBy, seen.reason], ['system', 'ended_by_api']);
  assert.equal((await agent.next('session_ended')).reason, 'ended_by_api');
  assert.equal((await full('POST', `/sessions/${sessionId}/end`)).status, 404);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await full('GET', `/sessions/${sessionId}`)).body.session.endReason, 'ended_by_api');

  assert.equal((await weak('DELETE', '/visitors/cust-1/data')).status, 403);
  assert.equal((await full('DELETE', '/visitors/cust-1/data')).body.deleted.sessions, 1);
  assert.equal((await full('GET', '/visitors/cust-1/export')).status, 404);
});

test('tokens: only users.manage creates them, never with more than its own permissions; cookies do not work on /api/v1', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  await server.collab.createRole(tenantId, 'user_admin', 'User admin', ['users.manage']);
  const userAdmin = await createAgent(server, 'user_admin');
  const beyond = await consoleCall(server, userAdmin, 'POST', '/api/tokens', { name: 'x', permissions: ['users.manage', 'audit.view'] });
  assert.deepEqual([beyond.status, beyond.body.error.code], [403, 'forbidden']);
  assert.equal((await consoleCall(server, userAdmin, 'POST', '/api/tokens', { name: 'x', permissions: ['users.manage'] })).status, 201);
  assert.equal((await consoleCall(server, await createAgent(server, 'agent'), 'GET', '/api/tokens')).status, 403);
  const bad = await consoleCall(server, userAdmin, 'POST', '/api/tokens', { name: 'x', permissions: ['nope'] });
  assert.equal(bad.body.error.code, 'invalid_request');
  // The console's cookie is not an API credential.
  const res = await fetch(`${server.url}/api/v1/users`, { headers: { cookie: await login(server) } });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /Bearer/);
  const doc = await fetch(`${server.url}/api/v1/openapi.json`);
  assert.equal(doc.status, 200);
  assert.equal(((await doc.json()) as { openapi: string }).openapi, '3.0.3');
});
