import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../server.ts';
import { consoleCall } from '../http/api-test-client.ts';
import { login } from '../relay/test-clients.ts';
import { checkOpenUrl, matchesPattern, checkPatterns } from './url-policy.ts';
import { isAlive, listProcesses } from './proc.ts';
import { sharedBrowsers } from './manager.ts';
import { SHARED_BROWSER_SDK_DIST } from './routes.ts';

const HAS_CHROMIUM = fs.existsSync('/usr/bin/chromium');
const none = { allow: [], block: [] };
const publicDns = async () => ['93.184.216.34'];

test('SSRF: loopback, private, link-local and unique-local addresses are refused unless allowed', async () => {
  for (const url of ['http://127.0.0.1:8080/', 'http://10.1.2.3/', 'http://192.168.0.10/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[fd00::1]/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/']) {
    const verdict = await checkOpenUrl(url, none, { allowPrivate: false, lookup: publicDns });
    assert.equal(verdict.ok, false, url);
    assert.equal(!verdict.ok && verdict.code, 'url_not_allowed');
    assert.equal((await checkOpenUrl(url, none, { allowPrivate: true, lookup: publicDns })).ok, true, `${url} with SHARED_BROWSER_ALLOW_PRIVATE`);
  }
  // A DNS name that resolves to loopback: the real resolver, for `localhost`.
  const local = await checkOpenUrl('http://localhost:3000/', none, { allowPrivate: false });
  assert.equal(local.ok, false);
  assert.match(!local.ok ? local.reason : '', /private or loopback/);
  // One private address among public ones is enough to refuse (DNS answers with several).
  assert.equal((await checkOpenUrl('https://mixed.example/', none, { allowPrivate: false, lookup: async () => ['93.184.216.34', '10.0.0.1'] })).ok, false);
  assert.equal((await checkOpenUrl('https://shop.example/', none, { allowPrivate: false, lookup: publicDns })).ok, true);
  assert.equal((await checkOpenUrl('file:///etc/passwd', none, { allowPrivate: true })).ok, false);
  assert.equal((await checkOpenUrl('https://user:pw@shop.example/', none, { allowPrivate: false, lookup: publicDns })).ok, false);
  // No scheme: https is assumed.
  const bare = await checkOpenUrl('shop.example/cart', none, { allowPrivate: false, lookup: publicDns });
  assert.equal(bare.ok && bare.url.href, 'https://shop.example/cart');
});

test('allow and block patterns: block wins, a non-empty allowlist must match, host-only patterns', () => {
  const u = (s: string) => new URL(s);
  assert.equal(matchesPattern(u('https://docs.example.com/a'), '*.example.com'), true);
  assert.equal(matchesPattern(u('https://example.com/a'), '*.example.com'), false);
  assert.equal(matchesPattern(u('https://example.com/admin/x'), 'https://example.com/admin/*'), true);
  assert.equal(matchesPattern(u('https://example.com.evil.test/'), 'example.com'), false);
  const policy = { allow: ['*.example.com', 'example.com'], block: ['https://example.com/admin*'] };
  assert.equal(checkPatterns(u('https://example.com/shop'), policy), null);
  assert.match(checkPatterns(u('https://example.com/admin/users'), policy) ?? '', /blocked/);
  assert.match(checkPatterns(u('https://other.test/'), policy) ?? '', /not on your organisation's list/);
  assert.equal(checkPatterns(u('https://other.test/'), { allow: [], block: [] }), null);
});

async function target(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/redirect-private') {
      res.writeHead(302, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Target</title><h1>Hello from the target</h1>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function setup(env: Record<string, string>): Promise<{ server: RunningServer; cookie: string; call: (m: string, p: string, b?: unknown) => Promise<{ status: number; body: any }> }> {
  const server = await startServer({ env: { SHARED_BROWSER: '1', ...env } });
  const cookie = await login(server);
  return { server, cookie, call: (m, p, b) => consoleCall(server, cookie, m, p, b) };
}

test('the route refuses private addresses without the flag, and reports a missing Chromium', async (t) => {
  const { server, call } = await setup({ SHARED_BROWSER_CHROMIUM: '/nonexistent/chromium' });
  t.after(() => server.close());
  const status = await call('GET', '/api/shared-browser');
  assert.equal(status.body.available, false);
  assert.equal(status.body.reason, 'Open a website needs Chromium on the server: apt-get install chromium');
  const missing = await call('POST', '/api/shared-browser', { url: 'https://shop.example/' });
  assert.equal(missing.status, 503);
  assert.equal(missing.body.error.code, 'shared_browser_unavailable');
  const off = await startServer();
  t.after(() => off.close());
  const offCall = await consoleCall(off, await login(off), 'POST', '/api/shared-browser', { url: 'https://shop.example/' });
  assert.equal(offCall.body.error.code, 'shared_browser_unavailable');
});

test('tenant patterns are stored and enforced by POST /shared-browser', async (t) => {
  const { server, call } = await setup({});
  t.after(() => server.close());
  assert.deepEqual((await call('GET', '/api/settings/shared-browser')).body.sharedBrowser, { allow: [], block: [] });
  assert.equal((await call('PUT', '/api/settings/shared-browser', { allow: ['*.example.com'], block: ['*.evil.example.com'] })).status, 200);
  const blocked = await call('POST', '/api/shared-browser', { url: 'https://x.evil.example.com/' });
  assert.equal(blocked.status, 403);
  assert.equal(blocked.body.error.code, 'url_not_allowed');
  assert.equal((await call('POST', '/api/shared-browser', { url: 'https://other.test/' })).body.error.code, 'url_not_allowed');
  const loop = await call('PUT', '/api/settings/shared-browser', { allow: [], block: [] });
  assert.equal(loop.status, 200);
  const priv = await call('POST', '/api/shared-browser', { url: 'http://localhost:9/' });
  assert.equal(priv.body.error.code, 'url_not_allowed');
  assert.match(priv.body.error.message, /private or loopback/);
});

test('per-node limit, tabs, idle timeout, and no orphaned processes', { skip: !HAS_CHROMIUM && 'no /usr/bin/chromium' }, async (t) => {
  const site = await target();
  t.after(() => site.close());
  const { server, call } = await setup({ SHARED_BROWSER_ALLOW_PRIVATE: '1', SHARED_BROWSER_MAX: '1', SHARED_BROWSER_IDLE_MS: '2500' });
  t.after(() => server.close());
  const opened = await call('POST', '/api/shared-browser', { url: `${site.url}/` });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  assert.match(opened.body.code, /^\d{6}$/);
  assert.match(opened.body.customerUrl, /\/console\/watch\//);
  const manager = sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST);
  const browser = manager.get((await server.store.findSiteByKey(server.demoSiteKey))!.tenantId, opened.body.sessionId)!;
  assert.ok(browser);
  const pids = [...browser.seenPids];
  assert.ok(pids.length > 0, 'the browser tree was found in /proc');

  const second = await call('POST', '/api/shared-browser', { url: `${site.url}/` });
  assert.equal(second.status, 503);
  assert.equal(second.body.error.code, 'shared_browser_limit');

  // The page's SDK resumed the session the server started (the host is the page now).
  const session = server.relay.sessions.get(opened.body.sessionId)!;
  await waitFor(() => session.cache.snapshot().length > 0, 'DOM frames from the page');
  assert.equal(session.page.url, `${site.url}/`);
  const tabs = await call('GET', `/api/shared-browser/${opened.body.sessionId}/tabs`);
  assert.deepEqual(tabs.body.tabs.map((x: { title: string; active: boolean }) => [x.title, x.active]), [['Target', true]]);
  await waitFor(() => session.sharedBrowser?.tabs[0]?.title === 'Target', 'the tabs in the session (sent to joiners)');
  const egress = new URL(browser.egressUrl!);

  // Idle: nobody used it for 2.5 s: the session ends and the whole process tree is gone.
  await waitFor(() => session.ended, 'the idle timeout', 10_000);
  assert.equal(session.state.ended?.reason, 'shared_browser_idle');
  await waitFor(() => manager.running.size === 0, 'the browser to close');
  assert.deepEqual(pids.filter(isAlive), []);
  assert.deepEqual(listProcesses().filter((p) => p.cmdline.includes(browser.marker)), []);
  // The egress proxy closed with it.
  const refused = await new Promise((resolve) => net.connect(Number(egress.port), egress.hostname).once('connect', () => resolve(false)).once('error', () => resolve(true)));
  assert.equal(refused, true, 'the egress proxy is closed');
});

test('memory limit: a browser tree over SHARED_BROWSER_MEMORY_MB is closed and its session ended', { skip: !HAS_CHROMIUM && 'no /usr/bin/chromium' }, async (t) => {
  const site = await target();
  t.after(() => site.close());
  const { server, call } = await setup({ SHARED_BROWSER_ALLOW_PRIVATE: '1', SHARED_BROWSER_MEMORY_MB: '64' });
  t.after(() => server.close());
  const opened = await call('POST', '/api/shared-browser', { url: `${site.url}/` });
  assert.equal(opened.status, 201);
  const session = server.relay.sessions.get(opened.body.sessionId)!;
  const browser = sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).running.get(opened.body.sessionId)!;
  await waitFor(() => session.ended, 'the memory check', 10_000);
  assert.equal(session.state.ended?.reason, 'shared_browser_memory');
  await waitFor(() => sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST).running.size === 0, 'the browser to close');
  assert.deepEqual([...browser.seenPids].filter(isAlive), [], 'no process of the shared browser is left');
});

async function waitFor(check: () => boolean, what: string, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
