/** Webhooks: signed, retried with backoff, persisted across restarts, refused for private addresses, one payload per event. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../server.ts';
import { createAgent, joinAs, login, startHostSession } from '../relay/test-clients.ts';
import { bearer, consoleCall } from '../http/api-test-client.ts';
import { signPayload, verifySignature } from './dispatcher.ts';
import { isPrivateAddress } from './private-address.ts';
import { freePort } from '../testing/ports.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A local webhook receiver; `status` decides each answer (by 1-based request number). */
async function receiver(t: TestContext, status: (n: number) => number = () => 200) {
  const got: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body, at: Date.now() });
      res.writeHead(status(got.length)).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const waitFor = (n: number, timeoutMs = 8000) =>
    new Promise<Received[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} webhook requests`)), timeoutMs);
      const check = () => (got.length >= n ? (clearTimeout(timer), resolve(got)) : waiters.push(check));
      check();
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, waitFor };
}

async function adminToken(server: RunningServer): Promise<string> {
  const res = await consoleCall(server, await login(server), 'POST', '/api/tokens', { name: 'hooks', permissions: ['sites.manage'] });
  return res.body.token as string;
}

test('signatures verify with the secret, and fail with a wrong secret, a changed body or an old timestamp', () => {
  const body = '{"id":"evt_1"}';
  const header = signPayload('whsec_right', body);
  assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  assert.equal(verifySignature('whsec_right', body, header), true);
  assert.equal(verifySignature('whsec_wrong', body, header), false);
  assert.equal(verifySignature('whsec_right', body + ' ', header), false);
  assert.equal(verifySignature('whsec_right', body, signPayload('whsec_right', body, Math.floor(Date.now() / 1000) - 3600)), false);
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) assert.equal(isPrivateAddress(ip), true, ip);
  for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8']) assert.equal(isPrivateAddress(ip), false, ip);
});

test('private, loopback and non-http webhook URLs are refused unless WEBHOOK_ALLOW_PRIVATE is set', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const call = bearer(server, await adminToken(server));
  for (const url of ['http://127.0.0.1:9/hook', 'http://10.0.0.5/hook', 'http://[::1]/hook', 'http://localhost/hook', 'http://169.254.169.254/latest', 'ftp://example.com/x']) {
    const res = await call('POST', '/webhooks', { url, events: ['session.started'] });
    assert.deepEqual([res.status, res.body.error.code], [400, 'invalid_request'], url);
  }
  assert.equal((await call('POST', '/webhooks', { url: 'http://127.0.0.1/x', events: ['nope'] })).status, 400);
  const allowed = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  t.after(() => allowed.close());
  assert.equal((await bearer(allowed, await adminToken(allowed))('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['session.started'] })).status, 201);
});

test('each of the five events arrives signed, with its payload', async (t) => {
  const server = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  t.after(() => server.close());
  const hook = await receiver(t);
  const call = bearer(server, await adminToken(server));
  const created = await call('POST', '/webhooks', { url: hook.url, events: ['session.started', 'session.ended', 'participant.joined', 'control.granted', 'message.created'] });
  assert.equal(created.status, 201);
  const secret: string = created.body.secret;
  assert.ok(!JSON.stringify((await call('GET', '/webhooks')).body).includes(secret), 'the secret is shown once');

  const { host, created: session } = await startHostSession(server);
  t.after(() => host.ws.close());
  const { agent, joined } = await joinAs(server, await createAgent(server, 'senior_agent', 'Sam Senior'), session.code);
  t.after(() => agent.ws.close());
  agent.send({ type: 'control_request' });
  await host.next('control_requested');
  host.send({ type: 'control_grant', participantId: joined.participantId });
  await agent.next('control_state');
  host.send({ type: 'chat_send', clientId: 'c1', text: 'can you see my cart?' });
  await host.next('chat_message');
  host.send({ type: 'session_end' });
  await host.next('session_ended');

  const got = await hook.waitFor(5);
  const events = got.map((r) => {
    assert.equal(verifySignature(secret, r.body, String(r.headers['samepage-signature'])), true);
    assert.equal(verifySignature('whsec_wrong', r.body, String(r.headers['samepage-signature'])), false);
    const event = JSON.parse(r.body);
    assert.equal(r.headers['samepage-event'], event.type);
    assert.match(String(r.headers['samepage-delivery']), /^dlv_/);
    assert.match(event.id, /^evt_/);
    assert.equal(typeof event.createdAt, 'number');
    return event;
  });
  const byType = Object.fromEntries(events.map((e) => [e.type, e]));
  const tenantId = byType['session.started'].tenantId;
  assert.ok(events.every((e) => e.tenantId === tenantId));
  assert.deepEqual(Object.keys(byType).sort(), ['control.granted', 'message.created', 'participant.joined', 'session.ended', 'session.started']);
  assert.equal(byType['session.started'].data.sessionId, session.sessionId);
  assert.equal(byType['session.started'].data.page.title, 'Shop');
  assert.deepEqual(byType['participant.joined'].data.participant.name, 'Sam Senior');
  assert.equal(byType['participant.joined'].data.via, 'code');
  assert.deepEqual(byType['control.granted'].data, { sessionId: session.sessionId, participant: { id: joined.participantId, name: 'Sam Senior' } });
  assert.equal(byType['message.created'].data.message.text, 'can you see my cart?');
  assert.equal(byType['message.created'].data.message.from.role, 'host');
  assert.deepEqual([byType['session.ended'].data.endedBy, byType['session.ended'].data.reason], ['customer', 'stopped']);
});

test('a failing endpoint is retried with exponential backoff until it answers 2xx', async (t) => {
  const server = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '150' } });
  t.after(() => server.close());
  const hook = await receiver(t, (n) => (n <= 2 ? 500 : 204));
  const call = bearer(server, await adminToken(server));
  const id = (await call('POST', '/webhooks', { url: hook.url, events: ['session.started'] })).body.webhook.id;
  const { host } = await startHostSession(server);
  t.after(() => host.ws.close());
  const got = await hook.waitFor(3);
  assert.equal(new Set(got.map((r) => r.headers['samepage-delivery'])).size, 1, 'one delivery, three attempts');
  assert.equal(new Set(got.map((r) => r.body)).size, 1, 'the same body each time');
  const [a, b, c] = got.map((r) => r.at) as [number, number, number];
  assert.ok(b - a >= 140, `first retry after ~150 ms, was ${b - a}`);
  assert.ok(c - b >= 290, `second retry after ~300 ms, was ${c - b}`);
  await new Promise((r) => setTimeout(r, 100));
  const [delivery] = (await call('GET', `/webhooks/${id}/deliveries`)).body.deliveries;
  assert.deepEqual([delivery.attempts, delivery.lastStatus, delivery.nextAttemptAt, typeof delivery.deliveredAt], [3, 204, null, 'number']);
});

test('pending deliveries survive a restart, and the webhook endpoints are tenant-scoped', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-hooks-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: '400' };
  let up = false;
  const hook = await receiver(t, () => (up ? 200 : 503));
  const first = await startServer({ env });
  const call = bearer(first, await adminToken(first));
  const id = (await call('POST', '/webhooks', { url: hook.url, events: ['session.started'] })).body.webhook.id;
  const other = await first.store.createTenant('Other');
  const foreign = bearer(first, (await first.api.createToken(other.id, 'x', ['sites.manage', 'users.manage'])).token);
  assert.equal((await foreign('GET', `/webhooks/${id}/deliveries`)).status, 404);
  assert.equal((await foreign('PATCH', `/webhooks/${id}`, { disabled: true })).status, 404);
  assert.equal((await foreign('DELETE', `/webhooks/${id}`)).status, 404);
  assert.deepEqual((await foreign('GET', '/webhooks')).body.webhooks, []);
  const { host } = await startHostSession(first);
  await hook.waitFor(1);
  host.ws.close();
  await first.close();

  up = true;
  const second = await startServer({ env });
  t.after(() => second.close());
  const got = await hook.waitFor(2);
  assert.equal(got[1]!.headers['samepage-delivery'], got[0]!.headers['samepage-delivery']);
  assert.equal((await bearer(second, await adminToken(second))('PATCH', `/webhooks/${id}`, { disabled: true })).body.webhook.disabled, true);
});

test('the helpdesk example verifies the signature and prints a console join link on session.started', async (t) => {
  const server = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  t.after(() => server.close());
  const cookie = await login(server);
  const token = (await consoleCall(server, cookie, 'POST', '/api/tokens', { name: 'helpdesk', permissions: ['session.invite', 'sites.manage'] })).body.token as string;
  const port = await freePort();
  const created = await bearer(server, token)('POST', '/webhooks', { url: `http://127.0.0.1:${port}/samepage`, events: ['session.started'] });
  const script = path.resolve(import.meta.dirname, '../../../../examples/helpdesk-webhook.mjs');
  const child = spawn(process.execPath, [script], { env: { ...process.env, SAMEPAGE_URL: server.url, SAMEPAGE_TOKEN: token, WEBHOOK_SECRET: created.body.secret, PORT: String(port) } });
  t.after(() => child.kill());
  let out = '';
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`example printed: ${out}`)), 8000);
      const check = () => {
        const m = pattern.exec(out);
        if (m) (clearTimeout(timer), resolve(m[0]));
      };
      child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      check();
    });
  await line(/helpdesk receiver on/);
  const forged = await fetch(`http://127.0.0.1:${port}/samepage`, { method: 'POST', body: '{}', headers: { 'samepage-signature': signPayload('whsec_wrong', '{}') } });
  assert.equal(forged.status, 401);
  const { host } = await startHostSession(server);
  t.after(() => host.ws.close());
  const link = await line(/Join: \S+/);
  const code = /\/console\/join\/(\d{6})$/.exec(link)?.[1];
  assert.ok(code, link);
  const { agent, joined } = await joinAs(server, cookie, code);
  t.after(() => agent.ws.close());
  assert.ok(joined.sessionId.startsWith('ses_'));
});
