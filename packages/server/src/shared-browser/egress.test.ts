/**
 * The shared browser's way out (egress-proxy.ts): every connection is checked at the moment it is
 * made, against the address it is made to. The resolver is a test stub and 127.0.0.2 counts as a
 * public address (test-sites.ts); the real rule for which addresses are private is tested in
 * shared-browser.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { startServer, type RunningServer } from '../server.ts';
import { consoleCall } from '../http/api-test-client.ts';
import { login, tenantOf } from '../relay/test-clients.ts';
import { sharedBrowsers } from './manager.ts';
import { SHARED_BROWSER_SDK_DIST } from './routes.ts';
import { countsAsPublic, startTwinSites } from './test-sites.ts';
import type { Lookup } from './url-policy.ts';

const HAS_CHROMIUM = fs.existsSync('/usr/bin/chromium');
const skip = !HAS_CHROMIUM && 'no /usr/bin/chromium';

async function open(env: Record<string, string>, lookup: Lookup, patterns?: { allow: string[]; block: string[] }) {
  const server = await startServer({ env: { SHARED_BROWSER: '1', ...env } });
  const cookie = await login(server);
  const call = (m: string, p: string, b?: unknown) => consoleCall(server, cookie, m, p, b);
  const manager = sharedBrowsers(server.relay, SHARED_BROWSER_SDK_DIST);
  manager.lookup = lookup;
  manager.isPrivate = countsAsPublic;
  if (patterns) assert.equal((await call('PUT', '/api/settings/shared-browser', patterns)).status, 200);
  const browserOf = async (sessionId: string) => manager.get(await tenantOf(server), sessionId)!;
  return { server, call, manager, browserOf };
}

/** Runs `fetch` in the shared page: the body's first heading, or "blocked". */
const fetchScript = (url: string) => `fetch(${JSON.stringify(url)}, { cache: 'no-store' }).then((r) => r.text()).then((t) => (/<h1>(.*?)<\\/h1>/.exec(t) || [])[1] || t, () => 'blocked')`;

test('SSRF at connect time: a name is reached at the address that was checked, a rebinding name and a name resolving to 127.0.0.1 are refused, redirects and WebSockets too', { skip }, async (t) => {
  const sites = await startTwinSites();
  t.after(() => sites.close());
  let rebindAnswers = 0;
  const lookup: Lookup = async (host) => {
    if (host === 'localhost') return ['127.0.0.2']; // the system resolver says 127.0.0.1 (or ::1): the private site
    if (host === 'intranet.test') return ['127.0.0.1'];
    if (host === 'rebind.test') return ++rebindAnswers === 1 ? ['127.0.0.2'] : ['127.0.0.1'];
    throw new Error(`no such host ${host}`);
  };
  const { server, call, browserOf } = await open({}, lookup, { allow: [], block: ['http://localhost:*/admin*'] });
  t.after(() => server.close());
  const base = `http://localhost:${sites.port}`;

  // Pinned: the proxy connects to the address the stub resolver answered, not where the system would go.
  const opened = await call('POST', '/api/shared-browser', { url: `${base}/` });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const page = (await browserOf(opened.body.sessionId)).active!;
  assert.equal(await page.title(), 'Public page');

  // A host name that resolves to 127.0.0.1: refused when typed, and from inside the page.
  const typed = await call('POST', '/api/shared-browser', { url: `http://intranet.test:${sites.port}/` });
  assert.equal(typed.status, 403);
  assert.equal(typed.body.error.code, 'url_not_allowed');
  assert.match(typed.body.error.message, /private or loopback/);
  assert.equal(await page.evaluate(fetchScript(`http://intranet.test:${sites.port}/from-page`)), 'blocked');
  assert.equal(await page.evaluate(fetchScript(`http://127.0.0.1:${sites.port}/literal`)), 'blocked');

  // DNS rebinding: the first answer is public, the next private. Each connection is checked with
  // the answer it is made to, so the second request never reaches the private site.
  assert.equal(await page.evaluate(fetchScript(`http://rebind.test:${sites.port}/first`)), 'Public page');
  assert.equal(await page.evaluate(fetchScript(`http://rebind.test:${sites.port}/second`)), 'blocked');

  // A page's own WebSocket to a private address, and a redirect to one (last: it leaves an error page).
  const ws = await page.evaluate(`new Promise((done) => { const s = new WebSocket('ws://127.0.0.1:${sites.port}/ws'); s.onopen = () => done('open'); s.onerror = () => done('error'); })`);
  assert.equal(ws, 'error');
  await assert.rejects(page.goto(`${base}/redirect-private`), /ERR_BLOCKED_BY_CLIENT/);

  // The tenant's blocklist holds for navigations inside the browser too.
  await assert.rejects(page.goto(`${base}/admin/users`), /ERR_BLOCKED_BY_CLIENT/);

  assert.deepEqual(sites.privateSite.hits, [], 'nothing reached the private site');
  assert.ok(sites.publicSite.hits.includes('/first'));
  assert.ok(!sites.publicSite.hits.some((h) => h.startsWith('/admin')));
});

test('with SHARED_BROWSER_ALLOW_PRIVATE, a name resolving to 127.0.0.1 opens, at the address the resolver gave', { skip }, async (t) => {
  const sites = await startTwinSites();
  t.after(() => sites.close());
  const { server, call, browserOf } = await open({ SHARED_BROWSER_ALLOW_PRIVATE: '1' }, async (host) => {
    if (host === 'intranet.test') return ['127.0.0.1'];
    throw new Error(`no such host ${host}`);
  });
  t.after(() => server.close());
  const opened = await call('POST', '/api/shared-browser', { url: `http://intranet.test:${sites.port}/` });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  // intranet.test exists only in the stub resolver: the page loads only if the proxy used its answer.
  const page = (await browserOf(opened.body.sessionId)).active!;
  assert.equal(await page.title(), 'Secret');
  assert.deepEqual(sites.privateSite.hits, ['/']);
  // A page's own WebSocket goes out through the proxy too, and works.
  const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  t.after(() => echo.close());
  echo.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
  await new Promise((r) => echo.once('listening', r));
  const port = (echo.address() as AddressInfo).port;
  const reply = await page.evaluate(`new Promise((done) => { const s = new WebSocket('ws://intranet.test:${port}/'); s.onopen = () => s.send('hi'); s.onmessage = (e) => done(e.data); s.onerror = () => done('error'); })`);
  assert.equal(reply, 'echo hi');
});
