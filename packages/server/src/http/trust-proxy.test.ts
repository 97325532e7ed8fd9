/** Behind a TLS-terminating reverse proxy (TRUST_PROXY): forwarded headers count only when trusted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect } from '../relay/test-clients.ts';

const PUBLIC_HOST = 'cobrowse.proxy.test';
const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': PUBLIC_HOST, 'x-forwarded-for': '203.0.113.9' };

async function start(t: import('node:test').TestContext, trustProxy: boolean): Promise<RunningServer> {
  const server = await startServer({ env: { TRUST_PROXY: trustProxy ? 'true' : 'false' } });
  t.after(() => server.close());
  return server;
}

async function loginResponse(server: RunningServer, headers: Record<string, string>) {
  return fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1', ...headers },
    body: JSON.stringify({ email: server.admin.email, password: server.admin.password }),
  });
}

/** Sends a hello through a socket that claims to come through the proxy; returns welcome or the error code. */
async function helloThroughProxy(server: RunningServer, hello: Record<string, unknown>, cookie?: string): Promise<string> {
  const client = await connect(server, { origin: `https://${PUBLIC_HOST}`, ...FORWARDED, ...(cookie ? { cookie } : {}) });
  client.send(hello);
  const answer = await Promise.race([client.next('welcome').then(() => 'welcome'), client.next('error').then((e) => e.code)]);
  client.ws.close();
  return answer;
}

test('TRUST_PROXY=true: X-Forwarded-Proto https makes the login cookie Secure and adds HSTS', async (t) => {
  const server = await start(t, true);
  const proxied = await loginResponse(server, FORWARDED);
  assert.equal(proxied.status, 200);
  assert.match(proxied.headers.get('set-cookie') ?? '', /; Secure/);
  assert.equal(proxied.headers.get('strict-transport-security'), 'max-age=15552000');
  const direct = await loginResponse(server, {});
  assert.doesNotMatch(direct.headers.get('set-cookie') ?? '', /Secure/, 'plain HTTP without a proxy header: no Secure flag');
  assert.equal(direct.headers.get('strict-transport-security'), null);
});

test('TRUST_PROXY=false: forwarded headers are ignored (no Secure cookie, no HSTS)', async (t) => {
  const server = await start(t, false);
  const res = await loginResponse(server, FORWARDED);
  assert.equal(res.status, 200);
  assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /Secure/);
  assert.equal(res.headers.get('strict-transport-security'), null);
});

test('TRUST_PROXY=true: the Origin check compares against X-Forwarded-Host, for the console and for "self" sites', async (t) => {
  const server = await start(t, true);
  const cookie = (await loginResponse(server, {})).headers.get('set-cookie')!.split(';')[0]!;
  assert.equal(await helloThroughProxy(server, { type: 'agent_hello', v: PROTOCOL_VERSION }, cookie), 'welcome');
  const hostHello = { type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: `https://${PUBLIC_HOST}/`, title: 'Shop' } };
  assert.equal(await helloThroughProxy(server, hostHello), 'welcome');
});

test('TRUST_PROXY=false: a forged X-Forwarded-Host does not make a foreign Origin look like this server', async (t) => {
  const server = await start(t, false);
  const cookie = (await loginResponse(server, {})).headers.get('set-cookie')!.split(';')[0]!;
  assert.equal(await helloThroughProxy(server, { type: 'agent_hello', v: PROTOCOL_VERSION }, cookie), 'origin_not_allowed');
  const hostHello = { type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: `https://${PUBLIC_HOST}/`, title: 'Shop' } };
  assert.equal(await helloThroughProxy(server, hostHello), 'origin_not_allowed');
});

test('TRUST_PROXY=true: login rate limiting counts the forwarded client address, not the proxy’s', async (t) => {
  const server = await startServer({ env: { TRUST_PROXY: 'true', LOGIN_ATTEMPTS_PER_MINUTE: '2', LOGIN_LOCKOUT_FAILURES: '100' } });
  t.after(() => server.close());
  const attempt = (ip: string) =>
    fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1', 'x-forwarded-for': ip },
      body: JSON.stringify({ email: server.admin.email, password: 'wrong password' }),
    }).then((r) => r.status);
  assert.deepEqual([await attempt('198.51.100.1'), await attempt('198.51.100.1'), await attempt('198.51.100.1')], [401, 401, 429]);
  assert.equal(await attempt('198.51.100.2'), 401, 'another client behind the same proxy is not blocked');
});
