/**
 * "Leave a message": the visitor's public endpoints (site key + Origin, limits, error codes), the
 * inbox on /api and /api/v1 (permissions, tenant scoping, read state, replies, notes, snapshot),
 * agent availability on the presence socket, and share links.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect, createAgent, login, startHostSession, tenantOf } from '../relay/test-clients.ts';
import { bearer, consoleCall } from './api-test-client.ts';

/** What followup.js sends: JSON as text/plain, from the page's origin. */
async function visitor(server: RunningServer, path: string, body: unknown, origin: string | null = server.url) {
  const res = await fetch(`${server.url}/followup/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...(origin ? { origin } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, cors: res.headers.get('access-control-allow-origin') };
}

const page = { url: 'http://shop.test/cart', title: 'Cart' };
const snapshotOf = (events: unknown[]) => gzipSync(Buffer.from(JSON.stringify(events))).toString('base64');

test('a visitor leaves a message with a snapshot; agents see it unread, open it, read the snapshot, reply and note; only that visitor reads the reply', async (t) => {
  const server = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  t.after(() => server.close());
  const cookie = await login(server);
  const tenantId = await tenantOf(server);
  const events = [{ type: 4, timestamp: 1, data: { href: page.url, width: 800, height: 600 } }, { type: 2, timestamp: 2, data: { node: { type: 0, id: 1, childNodes: [] } } }];
  const hook = await consoleCall(server, cookie, 'POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message.created'] });
  assert.equal(hook.status, 201);

  const left = await visitor(server, 'messages', { siteKey: server.demoSiteKey, text: '  Where is my order?  ', identity: { id: 'cust-7', name: 'Cara' }, email: 'cara@example.test', page, snapshot: snapshotOf(events) });
  assert.equal(left.status, 201, JSON.stringify(left.body));
  assert.equal(left.cors, server.url);
  assert.match(left.body.id, /^fu_/);
  assert.ok(left.body.token.length >= 32);
  const id: string = left.body.id;

  // The inbox: one unread message, with who, where and the snapshot's size.
  const inbox = await consoleCall(server, cookie, 'GET', '/api/messages?status=unread');
  assert.equal(inbox.status, 200);
  assert.equal(inbox.body.unread, 1);
  const [summary] = inbox.body.messages;
  assert.deepEqual([summary.id, summary.text, summary.visitor.name, summary.visitor.email, summary.visitor.id, summary.page.title, summary.readAt], [id, 'Where is my order?', 'Cara', 'cara@example.test', 'cust-7', 'Cart', null]);
  assert.ok(summary.snapshotBytes > 0);

  // Opening it marks it read; the snapshot comes back byte for byte (gzip, or decompressed).
  const opened = await consoleCall(server, cookie, 'GET', `/api/messages/${id}`);
  assert.deepEqual(opened.body.entries.map((e: any) => [e.kind, e.text]), [['visitor', 'Where is my order?']]);
  assert.deepEqual(opened.body.allowedOrigins, ['self']);
  assert.equal((await consoleCall(server, cookie, 'GET', '/api/messages/unread')).body.unread, 0);
  const raw = await fetch(`${server.url}/api/messages/${id}/snapshot`, { headers: { cookie, 'accept-encoding': 'identity' } });
  assert.deepEqual(await raw.json(), events);
  const zipped = await fetch(`${server.url}/api/v1/messages/${id}/snapshot`, { headers: { authorization: `Bearer ${(await server.api.createToken(tenantId, 'ro', ['messages.view'])).token}`, 'accept-encoding': 'gzip' } });
  assert.equal(zipped.headers.get('content-encoding'), 'gzip');
  assert.deepEqual(await zipped.json(), events);

  // A reply (visible to the visitor) and a note (never).
  const reply = await consoleCall(server, cookie, 'POST', `/api/messages/${id}/replies`, { text: 'It ships tomorrow.' });
  assert.equal(reply.status, 201);
  assert.equal((await consoleCall(server, cookie, 'POST', `/api/messages/${id}/notes`, { text: 'VIP customer, call back' })).status, 201);
  assert.equal((await consoleCall(server, cookie, 'POST', `/api/messages/${id}/replies`, { text: '   ' })).body.error.code, 'invalid_request');

  const held = [{ id, token: left.body.token }];
  const mine = await visitor(server, 'replies', { siteKey: server.demoSiteKey, threads: held, identity: { id: 'cust-7' } });
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.body.threads.map((th: any) => [th.id, th.text, th.replies.map((r: any) => r.text), th.seen]), [[id, 'Where is my order?', ['It ships tomorrow.'], false]]);
  assert.ok(!JSON.stringify(mine.body).includes('VIP customer'), 'notes never reach the visitor');
  // Someone else identified in this browser, a wrong secret, or another site's key: nothing.
  assert.deepEqual((await visitor(server, 'replies', { siteKey: server.demoSiteKey, threads: held, identity: { id: 'cust-8' } })).body.threads, []);
  assert.deepEqual((await visitor(server, 'replies', { siteKey: server.demoSiteKey, threads: held })).body.threads, []);
  assert.deepEqual((await visitor(server, 'replies', { siteKey: server.demoSiteKey, threads: [{ id, token: 'x'.repeat(32) }], identity: { id: 'cust-7' } })).body.threads, []);
  const other = await server.store.createTenant('Other Inc');
  const otherSite = await server.store.createSite({ tenantId: other.id, name: 'Theirs', allowedOrigins: ['self'] });
  assert.deepEqual((await visitor(server, 'replies', { siteKey: otherSite.siteKey, threads: held, identity: { id: 'cust-7' } })).body.threads, []);

  // Seen, then the thread says so; a wrong secret cannot mark it.
  assert.equal((await visitor(server, 'seen', { siteKey: server.demoSiteKey, id, token: 'nope' })).status, 404);
  assert.equal((await visitor(server, 'seen', { siteKey: server.demoSiteKey, id, token: left.body.token })).status, 204);
  assert.equal((await visitor(server, 'replies', { siteKey: server.demoSiteKey, threads: held, identity: { id: 'cust-7' } })).body.threads[0].seen, true);

  // A live session started from the reply: its code shows on the thread (a foreign code does not link).
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.close());
  const code = created.code;
  const foreignCode = (await server.relay.codes.issue('ses_theirs', other.id)).code;
  assert.equal((await visitor(server, 'live', { siteKey: server.demoSiteKey, id, token: left.body.token, code: foreignCode })).body.error.code, 'code_unknown');
  assert.equal((await visitor(server, 'live', { siteKey: server.demoSiteKey, id, token: left.body.token, code })).status, 204);
  assert.equal((await consoleCall(server, cookie, 'GET', `/api/messages/${id}`)).body.message.live.code, code);

  // Audit and webhooks: the message, the reply.
  const audit = await consoleCall(server, cookie, 'GET', '/api/audit?action=message.');
  assert.deepEqual(audit.body.entries.map((e: any) => e.action).sort(), ['message.live_session', 'message.note', 'message.read', 'message.received', 'message.reply', 'message.snapshot_view', 'message.snapshot_view'].sort());
  const deliveries = await server.store.db.selectFrom('webhook_deliveries').select(['event', 'payload']).where('tenant_id', '=', tenantId).execute();
  const payloads = deliveries.filter((d) => d.event === 'message.created').map((d) => JSON.parse(d.payload).data);
  assert.deepEqual(payloads.map((p) => [p.sessionId, p.followupId, p.message.from.role, p.message.text]), [
    [null, id, 'host', 'Where is my order?'],
    [null, id, 'agent', 'It ships tomorrow.'],
  ]);
});

test('the inbox: permissions, tokens and tenant scoping', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  const left = await visitor(server, 'messages', { siteKey: server.demoSiteKey, text: 'Hello?', page });
  const id: string = left.body.id;
  await server.collab.createRole(tenantId, 'viewer', 'Viewer', ['messages.view']);
  await server.collab.createRole(tenantId, 'nobody', 'Nobody', ['session.point']);
  const agent = await createAgent(server, 'agent');
  const viewer = await createAgent(server, 'viewer');
  const nobody = await createAgent(server, 'nobody');
  assert.equal((await consoleCall(server, agent, 'POST', `/api/messages/${id}/replies`, { text: 'Hi from an agent' })).status, 201, 'agents hold messages.reply');
  assert.equal((await consoleCall(server, viewer, 'POST', `/api/messages/${id}/replies`, { text: 'x' })).body.error.code, 'forbidden');
  assert.equal((await consoleCall(server, viewer, 'POST', `/api/messages/${id}/notes`, { text: 'noted' })).status, 201);
  assert.equal((await consoleCall(server, nobody, 'GET', '/api/messages')).status, 403);
  assert.equal((await consoleCall(server, nobody, 'GET', `/api/messages/${id}`)).status, 403);

  const other = await server.store.createTenant('Other Inc');
  const foreign = bearer(server, (await server.api.createToken(other.id, 'theirs', ['messages.view', 'messages.reply'])).token);
  assert.deepEqual((await foreign('GET', '/messages')).body, { messages: [], unread: 0 });
  for (const [method, path, body] of [
    ['GET', `/messages/${id}`, undefined],
    ['GET', `/messages/${id}/snapshot`, undefined],
    ['POST', `/messages/${id}/replies`, { text: 'not yours' }],
    ['POST', `/messages/${id}/notes`, { text: 'not yours' }],
  ] as const) {
    assert.equal((await foreign(method, path, body)).status, 404, `${method} ${path} from another tenant`);
  }
  const token = bearer(server, (await server.api.createToken(tenantId, 'desk', ['messages.view', 'messages.reply'])).token);
  const viaApi = await token('POST', `/messages/${id}/replies`, { text: 'From the helpdesk' });
  assert.deepEqual([viaApi.status, viaApi.body.entry.authorName], [201, 'desk']);
  assert.equal((await token('GET', `/messages/${id}/snapshot`)).status, 404, 'no snapshot attached');
  const listed = await token('GET', '/messages?status=all');
  assert.equal(listed.body.messages[0].readAt === null, false, 'a reply marks it read');
  assert.equal((await bearer(server, null)('GET', '/messages')).status, 401);
  assert.equal((await bearer(server, (await server.api.createToken(tenantId, 'weak', ['session.view'])).token)('GET', '/messages')).status, 403);
  assert.equal((await token('GET', '/messages?status=bogus')).body.error.code, 'invalid_request');
});

test('the public endpoint: site key and Origin checked, specific error codes for bad input, size and rate limits', async (t) => {
  const server = await startServer({ env: { FOLLOWUP_PER_HOUR: '3', FOLLOWUP_SNAPSHOT_MAX_BYTES: '2048' } });
  t.after(() => server.close());
  const base = { siteKey: server.demoSiteKey, text: 'hi', page };
  const code = async (body: unknown, origin?: string | null) => {
    const res = await visitor(server, 'messages', body, origin);
    return [res.status, res.body?.error?.code ?? 'ok'];
  };
  assert.deepEqual(await code({ ...base, siteKey: 'pk_nope' }), [404, 'unknown_site_key']);
  assert.deepEqual(await code(base, 'https://evil.example'), [403, 'origin_not_allowed']);
  assert.deepEqual(await code(base, null), [403, 'origin_not_allowed']);
  assert.deepEqual(await code({ ...base, text: '   ' }), [400, 'message_empty']);
  assert.deepEqual(await code({ ...base, text: 'x'.repeat(4001) }), [400, 'message_too_long']);
  assert.deepEqual(await code({ ...base, email: 'not-an-email' }), [400, 'email_invalid']);
  assert.deepEqual(await code({ ...base, snapshot: 'not base64!' }), [400, 'snapshot_invalid']);
  assert.deepEqual(await code({ ...base, snapshot: Buffer.from('plain text, not gzip at all').toString('base64') }), [400, 'snapshot_invalid']);
  const big = gzipSync(Buffer.from(Array.from({ length: 4000 }, (_, i) => `${i * 7919}`).join(',')), { level: 0 }).toString('base64');
  assert.deepEqual(await code({ ...base, snapshot: big }), [413, 'snapshot_too_large']);
  assert.deepEqual(await code({ ...base, snapshot: 'A'.repeat(200 * 1024) }), [413, 'frame_too_large']);
  assert.deepEqual(await code('{not json'), [400, 'bad_frame']);
  assert.deepEqual(await code({ ...base, page: 'nope' }), [400, 'invalid_request']);
  // Three per address and hour (FOLLOWUP_PER_HOUR=3); refused input above did not count.
  for (let i = 0; i < 3; i++) assert.deepEqual(await code(base), [201, 'ok']);
  assert.deepEqual(await code(base), [429, 'rate_limited']);
  const stored = await server.store.db.selectFrom('followups').select('id').execute();
  assert.equal(stored.length, 3);
  // A preflight from an integrator's own fetch gets an answer.
  const preflight = await fetch(`${server.url}/followup/messages`, { method: 'OPTIONS', headers: { origin: server.url, 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
});

test('availability: the presence welcome says whether an agent is online, then every change', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tab = await connect(server);
  t.after(() => tab.ws.close());
  tab.send({ type: 'visitor_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page });
  assert.equal((await tab.next('welcome')).agentsOnline, false);
  const status = await visitor(server, 'status', { siteKey: server.demoSiteKey });
  assert.deepEqual([status.body.agentsOnline, status.body.redaction], [false, { redact: [], block: [], allow: [] }]);

  const console1 = await connect(server, { cookie: await createAgent(server, 'agent') });
  console1.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await console1.next('welcome');
  assert.equal((await tab.next('availability')).agentsOnline, true);
  assert.equal((await visitor(server, 'status', { siteKey: server.demoSiteKey })).body.agentsOnline, true);
  // Another tenant's agent does not count for this site.
  const other = await server.store.createTenant('Other Inc');
  const otherSite = await server.store.createSite({ tenantId: other.id, name: 'Theirs', allowedOrigins: ['self'] });
  const theirTab = await connect(server);
  t.after(() => theirTab.ws.close());
  theirTab.send({ type: 'visitor_hello', v: PROTOCOL_VERSION, siteKey: otherSite.siteKey, page });
  assert.equal((await theirTab.next('welcome')).agentsOnline, false);

  console1.ws.close();
  assert.equal((await tab.next('availability')).agentsOnline, false);
  assert.ok(!theirTab.messages.some((m) => m.type === 'availability'), 'the other tenant heard nothing');
});

test('share links: a session or message handed to a colleague, who opens it later; permission- and tenant-checked', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const tenantId = await tenantOf(server);
  const ann = await createAgent(server, 'agent', 'Ann');
  const bob = await createAgent(server, 'agent', 'Bob');
  await server.collab.createRole(tenantId, 'inbox_only', 'Inbox only', ['messages.view']);
  const ivy = await createAgent(server, 'inbox_only', 'Ivy');
  const { host, created } = await startHostSession(server);
  const sessionId = created.sessionId;
  t.after(() => host.ws.close());
  const message = (await visitor(server, 'messages', { siteKey: server.demoSiteKey, text: 'Call me', page })).body.id as string;

  const colleagues = await consoleCall(server, ann, 'GET', '/api/shares/colleagues');
  const bobId = colleagues.body.colleagues.find((c: any) => c.name === 'Bob').id as string;
  assert.ok(!colleagues.body.colleagues.some((c: any) => c.name === 'Ann'), 'not yourself');
  const shared = await consoleCall(server, ann, 'POST', '/api/shares', { target: { type: 'session', id: sessionId }, toUserId: bobId, note: 'Customer calls back at 3' });
  assert.equal(shared.status, 201, JSON.stringify(shared.body));
  assert.equal(shared.body.url, `${server.url}/console/shared/${shared.body.share.id}`);
  const shareId: string = shared.body.share.id;

  const inbox = await consoleCall(server, bob, 'GET', '/api/shares');
  assert.deepEqual(inbox.body.shares.map((s: any) => [s.id, s.note, s.from.name, s.pickedUpAt]), [[shareId, 'Customer calls back at 3', 'Ann', null]]);
  assert.deepEqual((await consoleCall(server, ann, 'GET', '/api/shares')).body.shares, [], 'not listed for the sender');
  // Ivy lacks session.view: she may not open a shared session (but may a shared message).
  assert.equal((await consoleCall(server, ivy, 'GET', `/api/shares/${shareId}`)).status, 403);
  const opened = await consoleCall(server, bob, 'GET', `/api/shares/${shareId}`);
  assert.equal(opened.status, 200);
  assert.deepEqual([opened.body.share.target, opened.body.live, opened.body.recording, typeof opened.body.share.pickedUpAt], [{ type: 'session', id: sessionId }, true, false, 'number']);
  assert.equal((await consoleCall(server, bob, 'GET', `/api/sessions/${sessionId}`)).status, 200);

  const msgShare = await consoleCall(server, bob, 'POST', '/api/shares', { target: { type: 'message', id: message } });
  assert.equal(msgShare.status, 201);
  assert.equal((await consoleCall(server, ivy, 'GET', `/api/shares/${msgShare.body.share.id}`)).status, 200);
  assert.equal((await consoleCall(server, ivy, 'POST', '/api/shares', { target: { type: 'session', id: sessionId } })).status, 403);
  assert.equal((await consoleCall(server, ann, 'POST', '/api/shares', { target: { type: 'session', id: 'ses_nope' } })).status, 404);
  assert.equal((await consoleCall(server, ann, 'POST', '/api/shares', { target: { type: 'session', id: sessionId }, toUserId: 'usr_nope' })).status, 404);

  // Another tenant sees no share, cannot open one, and cannot share this tenant's session.
  const other = await server.store.createTenant('Other Inc');
  const foreign = bearer(server, (await server.api.createToken(other.id, 'theirs', ['session.view', 'messages.view'])).token);
  assert.equal((await foreign('POST', '/shares', { target: { type: 'session', id: sessionId } })).status, 404);
  const audit = await consoleCall(server, await login(server), 'GET', '/api/audit?action=share.');
  assert.deepEqual(audit.body.entries.map((e: any) => e.action).sort(), ['share.create', 'share.create', 'share.open', 'share.open']);
});

test('a visitor’s left messages are in their data export, go with their data deletion, and follow the chat retention', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const cookie = await login(server);
  const tenantId = await tenantOf(server);
  const snapshot = snapshotOf([{ type: 2, timestamp: 1, data: { node: { type: 0, id: 1, childNodes: [] } } }]);
  const mine = (await visitor(server, 'messages', { siteKey: server.demoSiteKey, text: 'Export me', identity: { id: 'gdpr-1' }, page, snapshot })).body.id as string;
  await visitor(server, 'messages', { siteKey: server.demoSiteKey, text: 'Someone else', identity: { id: 'gdpr-2' }, page });
  await consoleCall(server, cookie, 'POST', `/api/messages/${mine}/replies`, { text: 'Exported too' });

  const exported = await consoleCall(server, cookie, 'GET', '/api/visitors/gdpr-1/export');
  assert.equal(exported.status, 200, 'a visitor with only a left message has data to export');
  assert.deepEqual(exported.body.messages.map((m: any) => [m.id, m.entries.map((e: any) => e.text), m.snapshot[0].type]), [[mine, ['Export me', 'Exported too'], 2]]);
  const deleted = await consoleCall(server, cookie, 'DELETE', '/api/visitors/gdpr-1/data');
  assert.equal(deleted.body.deleted.messages, 1);
  assert.equal((await consoleCall(server, cookie, 'GET', `/api/messages/${mine}`)).status, 404);
  assert.equal((await consoleCall(server, cookie, 'GET', '/api/visitors/gdpr-1/export')).status, 404);
  assert.equal((await server.store.db.selectFrom('followup_snapshots').select('followup_id').execute()).length, 0);

  // Chat retention of 1 day: the other message goes two days on.
  await server.tenants.setRetention(tenantId, { sessionsDays: null, chatDays: 1, auditDays: null, recordingsDays: null });
  const { purgeTenant } = await import('../retention.ts');
  assert.equal((await purgeTenant(tenantId, server.tenants, server.adminStore, server.store)).messages, 0, 'not old yet');
  assert.equal((await purgeTenant(tenantId, server.tenants, server.adminStore, server.store, Date.now() + 2 * 86_400_000)).messages, 1);
  assert.deepEqual((await consoleCall(server, cookie, 'GET', '/api/messages')).body.messages, []);
});
