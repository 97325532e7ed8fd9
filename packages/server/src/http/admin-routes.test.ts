import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { hashPassword } from '../auth/passwords.ts';
import { connect, createAgent, login, startHostSession, tenantOf } from '../relay/test-clients.ts';

function api(server: RunningServer, cookie: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json', 'x-samepage-csrf': '1' } : method !== 'GET' ? { 'x-samepage-csrf': '1' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  };
}

test('admins create agents; past the seat count they get seat_limit_reached; disabling frees a seat', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  await server.tenants.setPlan(tenantId, { kind: 'seats', limit: 2 });
  const call = api(server, await login(server));
  const created = await call('POST', '/api/users', { email: 'ann@example.test', name: 'Ann', role: 'agent', password: 'long-enough-pw' });
  assert.equal(created.status, 201);
  const over = await call('POST', '/api/users', { email: 'bob@example.test', name: 'Bob', role: 'agent', password: 'long-enough-pw' });
  assert.deepEqual([over.status, over.body.error.code], [409, 'seat_limit_reached']);
  assert.equal((await call('PATCH', `/api/users/${created.body.user.id}`, { disabled: true })).status, 200);
  assert.equal((await call('POST', '/api/users', { email: 'bob@example.test', name: 'Bob', role: 'agent', password: 'long-enough-pw' })).status, 201);
  const reenable = await call('PATCH', `/api/users/${created.body.user.id}`, { disabled: false });
  assert.equal(reenable.body.error.code, 'seat_limit_reached');
  const usage = await call('GET', '/api/usage');
  assert.deepEqual([usage.body.plan, usage.body.seatsUsed], [{ kind: 'seats', limit: 2 }, 2]);
  const bad = await call('POST', '/api/users', { email: 'not-an-email', name: 'X', role: 'agent', password: 'long-enough-pw' });
  assert.deepEqual([bad.status, bad.body.error.code], [400, 'invalid_request']);
  assert.match(bad.body.error.message, /email/);
});

test('past the capacity plan a customer is told no agent can join, and agents are told why', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  await server.tenants.setPlan(tenantId, { kind: 'capacity', limit: 1 });
  const agent = await connect(server, { cookie: await login(server) });
  t.after(() => agent.ws.close());
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await agent.next('welcome');
  const first = await startHostSession(server);
  t.after(() => first.host.ws.close());
  const second = await connect(server);
  t.after(() => second.ws.close());
  second.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url, title: 'Shop' } });
  await second.next('welcome');
  second.send({ type: 'session_start' });
  const refused = await second.next('error');
  assert.deepEqual([refused.code, refused.fatal], ['capacity_reached', false]);
  assert.match(refused.message, /No agent can join right now/);
  const notice = await agent.next('notice');
  assert.equal(notice.code, 'capacity_reached');
  first.host.send({ type: 'session_end' });
  await new Promise((r) => setTimeout(r, 50));
  second.send({ type: 'session_start' });
  assert.match((await second.next('session_created')).code, /^\d{6}$/);
  const usage = await api(server, await login(server))('GET', '/api/usage');
  assert.equal(usage.body.daily[0].peakConcurrent, 1);
  assert.equal(usage.body.daily[0].sessions, 2);
});

test('custom roles grant exactly their permissions, and role changes are audited', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const call = api(server, await login(server));
  const role = await call('POST', '/api/roles', { key: 'viewer_only', title: 'Viewer', permissions: ['session.view'] });
  assert.equal(role.status, 201);
  assert.equal((await call('POST', '/api/roles', { key: 'viewer_only', title: 'Again', permissions: [] })).body.error.code, 'conflict');
  assert.equal((await call('POST', '/api/roles', { key: 'x', title: 'Bad', permissions: ['nope'] })).status, 400);
  assert.equal((await call('PATCH', '/api/roles/admin', { title: 'Hacked' })).status, 400);
  const viewer = await createAgent(server, 'viewer_only', 'Vic');
  const ws = await connect(server, { cookie: viewer });
  t.after(() => ws.ws.close());
  ws.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  const welcome = await ws.next('welcome');
  assert.deepEqual(welcome.user?.permissions, ['session.view']);
  assert.equal((await api(server, viewer)('GET', '/api/users')).status, 403);
  const audit = await call('GET', '/api/audit?action=role.');
  assert.deepEqual(audit.body.entries.map((e: { action: string }) => e.action), ['role.create']);
});

test('the audit log records logins, sessions, joins and changes, filters them and exports CSV and JSON', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' }, body: JSON.stringify({ email: server.admin.email, password: 'wrong password' }) });
  assert.equal(res.status, 401);
  const cookie = await login(server);
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.close());
  const agent = await connect(server, { cookie });
  t.after(() => agent.ws.close());
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  agent.send({ type: 'join', code: created.code });
  await agent.next('joined');
  host.send({ type: 'session_end' });
  await agent.next('session_ended');
  await new Promise((r) => setTimeout(r, 100));
  const call = api(server, cookie);
  const all = await call('GET', '/api/audit');
  const actions = all.body.entries.map((e: { action: string }) => e.action);
  for (const a of ['login.failed', 'login.succeeded', 'session.start', 'session.join', 'session.end']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  const join = all.body.entries.find((e: { action: string }) => e.action === 'session.join');
  assert.equal(join.sessionId, created.sessionId);
  assert.equal(join.tenantId, await tenantOf(server));
  assert.ok(join.actorId && join.at);
  const onlySession = await call('GET', `/api/audit?session=${created.sessionId}`);
  assert.ok(onlySession.body.entries.every((e: { sessionId: string }) => e.sessionId === created.sessionId));
  const csv = await call('GET', '/api/audit?format=csv');
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(String(csv.body).split('\n')[0]!, /^id,at,time,tenant,actor_type,actor_id,action,session,detail$/);
  assert.match(String(csv.body), /session\.join/);
  const json = await call('GET', '/api/audit?format=json');
  assert.match(json.headers.get('content-disposition') ?? '', /attachment/);
  assert.equal(json.body.entries.length, all.body.entries.length);
});

test('retention purges old chat and sessions; a visitor’s data can be exported and deleted', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  const cookie = await login(server);
  const call = api(server, cookie);
  const host = await connect(server);
  t.after(() => host.ws.close());
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: server.url, title: 'S' }, visitor: { id: 'visitor-7', name: 'Vera' } });
  await host.next('welcome');
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  host.send({ type: 'chat_send', clientId: 'a', text: 'my order number is 555' });
  await host.next('chat_message');
  host.send({ type: 'session_end' });
  await host.next('session_ended');
  await new Promise((r) => setTimeout(r, 100));
  const exported = await call('GET', '/api/visitors/visitor-7/export');
  assert.equal(exported.body.sessions[0].id, created.sessionId);
  assert.equal(exported.body.chat[0].text, 'my order number is 555');
  assert.equal((await call('PUT', '/api/settings/retention', { sessionsDays: 30, chatDays: 1, auditDays: null, recordingsDays: null })).status, 200);
  await server.store.db.updateTable('chat_messages').set({ at: Date.now() - 3 * 24 * 3600 * 1000 }).where('tenant_id', '=', tenantId).execute();
  const purged = await call('POST', '/api/settings/retention/purge', {});
  assert.equal(purged.body.deleted.chat, 1);
  assert.equal((await call('GET', '/api/visitors/visitor-7/export')).body.chat.length, 0);
  const deleted = await call('DELETE', '/api/visitors/visitor-7/data');
  assert.equal(deleted.body.deleted.sessions, 1);
  assert.equal((await call('GET', '/api/visitors/visitor-7/export')).status, 404);
});

test('disabling a user cuts their live sockets at once; logout everywhere ends their logins', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const call = api(server, await login(server));
  const made = await call('POST', '/api/users', { email: 'dan@example.test', name: 'Dan', role: 'agent', password: 'long-enough-pw' });
  const dan = await login(server, 'dan@example.test', 'long-enough-pw');
  const ws = await connect(server, { cookie: dan });
  ws.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await ws.next('welcome');
  await call('PATCH', `/api/users/${made.body.user.id}`, { disabled: true });
  const closed = await ws.closed;
  assert.equal(closed.code, 4403);
  assert.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie: dan } })).status, 401);
  const second = await login(server);
  const out = await api(server, second)('POST', '/api/auth/logout-all', {});
  assert.equal(out.status, 204);
  assert.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie: second } })).status, 401);
});

test('repeated failed logins lock the account for a while', async (t) => {
  const server = await startServer({ env: { LOGIN_LOCKOUT_FAILURES: '3', LOGIN_ATTEMPTS_PER_MINUTE: '100' } });
  t.after(() => server.close());
  const attempt = (password: string) =>
    fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' }, body: JSON.stringify({ email: server.admin.email, password }) }).then(
      async (r) => [r.status, ((await r.json()) as { error?: { code: string } }).error?.code],
    );
  assert.deepEqual(await attempt('nope-1'), [401, 'invalid_credentials']);
  assert.deepEqual(await attempt('nope-2'), [401, 'invalid_credentials']);
  assert.deepEqual(await attempt('nope-3'), [423, 'account_locked']);
  assert.deepEqual(await attempt(server.admin.password), [423, 'account_locked'], 'even the right password waits out the lock');
});

test('no endpoint crosses tenants: another tenant gets 404 or 403 and learns nothing', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const mine = await login(server);
  const myTenant = await tenantOf(server);
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.close());
  host.send({ type: 'chat_send', clientId: 'c', text: 'secret chat' });
  await host.next('chat_message');
  const myUsers = (await api(server, mine)('GET', '/api/users')).body.users;
  const mySite = (await api(server, mine)('GET', '/api/sites')).body.sites[0];

  const other = await server.store.createTenant('Other Co');
  await server.store.createUser({ tenantId: other.id, email: 'eve@other.test', name: 'Eve', role: 'admin', passwordHash: await hashPassword('password-123') });
  const eve = api(server, await login(server, 'eve@other.test', 'password-123'));
  const attempts: Array<[string, string, unknown?]> = [
    ['GET', `/api/sessions/${created.sessionId}`],
    ['POST', `/api/sessions/${created.sessionId}/notes`, { text: 'x' }],
    ['PATCH', `/api/users/${myUsers[0].id}`, { disabled: true }],
    ['PATCH', `/api/sites/${mySite.id}`, { allowedOrigins: ['https://evil.test'] }],
    ['GET', `/api/visitors/anyone/export`],
  ];
  for (const [method, path, body] of attempts) {
    const r = await eve(method, path, body);
    assert.ok([403, 404].includes(r.status), `${method} ${path} → ${r.status}`);
    assert.doesNotMatch(JSON.stringify(r.body), /secret chat|Admin|admin@example/);
  }
  const lists = await Promise.all(['/api/sessions', '/api/users', '/api/sites', '/api/audit', '/api/sessions/live'].map((p) => eve('GET', p)));
  for (const l of lists) assert.doesNotMatch(JSON.stringify(l.body), new RegExp(`${myTenant}|${created.sessionId}|secret chat|admin@example`));
  assert.equal((await server.store.getUser(myTenant, myUsers[0].id))?.disabled, false);

  const ws = await connect(server, { cookie: await login(server, 'eve@other.test', 'password-123') });
  t.after(() => ws.ws.close());
  ws.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await ws.next('welcome');
  ws.send({ type: 'join', code: created.code });
  assert.equal((await ws.next('error')).code, 'code_unknown');
  ws.send({ type: 'join_session', sessionId: created.sessionId });
  assert.equal((await ws.next('error')).code, 'session_not_found');
  ws.send({ type: 'visitors_subscribe' });
  assert.deepEqual((await ws.next('visitors')).visitors, []);
  ws.send({ type: 'chat_sync', afterSeq: 0 });
  assert.equal((await ws.next('error')).code, 'unexpected_message');
});

test('sites: create with origins, redaction and policy; changes are audited and reach new SDK sessions', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const call = api(server, await login(server));
  const site = await call('POST', '/api/sites', { name: 'Shop', allowedOrigins: ['https://shop.example.com', 'https://*.example.com'], redaction: { redact: ['.ssn'], block: [], allow: [] }, policy: { allowGuests: true } });
  assert.equal(site.status, 201);
  assert.equal(site.body.site.policy.allowGuests, true);
  assert.equal((await call('POST', '/api/sites', { name: 'Bad', allowedOrigins: ['javascript:alert(1)'] })).status, 400);
  const patched = await call('PATCH', `/api/sites/${site.body.site.id}`, { redaction: { redact: ['.ssn', '.iban'], block: ['.card'], allow: [] }, policy: { allowNavigation: false } });
  assert.deepEqual(patched.body.site.redaction.block, ['.card']);
  assert.equal(patched.body.site.policy.allowNavigation, false);
  assert.equal(patched.body.site.policy.allowGuests, true);
  const audit = await call('GET', '/api/audit?action=site.');
  assert.deepEqual(audit.body.entries.map((e: { action: string }) => e.action).sort(), ['site.create', 'site.policy_update', 'site.redaction_update']);
  const host = await connect(server, { origin: 'https://a.example.com' });
  t.after(() => host.ws.close());
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: site.body.site.siteKey, page: { url: 'https://a.example.com/', title: 'A' } });
  const welcome = await host.next('welcome');
  assert.deepEqual(welcome.redaction?.block, ['.card']);
  assert.equal(welcome.policy?.allowNavigation, false);
  const wrong = await connect(server, { origin: 'https://example.org' });
  wrong.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: site.body.site.siteKey, page: { url: 'https://example.org/', title: 'A' } });
  assert.equal((await wrong.next('error')).code, 'origin_not_allowed');
  assert.equal((await wrong.closed).code, 4403);
});

test('sites: a PATCHed theme is saved, validated, reaches welcome.policy.theme of a new host, and null removes it', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const call = api(server, await login(server));
  const site = await call('POST', '/api/sites', { name: 'Themed', allowedOrigins: ['https://shop.example.com'] });
  assert.equal(site.status, 201);
  const id = site.body.site.id;
  const theme = { brandColor: '#1a73e8', logoUrl: 'https://shop.example.com/logo.png', position: 'top-left', mode: 'dark', text: { bannerTitle: 'Our team is here' } };
  const patched = await call('PATCH', `/api/sites/${id}`, { policy: { theme } });
  assert.equal(patched.status, 200);
  assert.deepEqual(patched.body.site.policy.theme, theme);
  // Other policy fields stay; a later policy change without theme keeps the theme.
  assert.equal((await call('PATCH', `/api/sites/${id}`, { policy: { allowGuests: true } })).body.site.policy.theme.brandColor, '#1a73e8');
  for (const bad of [{ brandColor: 'blue' }, { logoUrl: 'javascript:alert(1)' }, { position: 'middle' }, { mode: 'sepia' }, { text: { k: 'x'.repeat(201) } }, { text: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, { extra: 1 }]) {
    const res = await call('PATCH', `/api/sites/${id}`, { policy: { theme: bad } });
    assert.deepEqual([res.status, res.body.error.code], [400, 'invalid_request'], JSON.stringify(bad).slice(0, 80));
  }
  const listed = await call('GET', '/api/sites');
  assert.deepEqual(listed.body.sites.find((s: { id: string }) => s.id === id).policy.theme, theme);
  const host = await connect(server, { origin: 'https://shop.example.com' });
  t.after(() => host.ws.close());
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: site.body.site.siteKey, page: { url: 'https://shop.example.com/', title: 'Shop' } });
  const welcome = await host.next('welcome');
  assert.deepEqual(welcome.policy?.theme, theme);
  const cleared = await call('PATCH', `/api/sites/${id}`, { policy: { theme: null } });
  assert.equal(cleared.body.site.policy.theme, undefined);
  assert.equal(cleared.body.site.policy.allowGuests, true);
});
