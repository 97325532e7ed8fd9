/**
 * The asset proxy through a real server on port 0, real sockets and a real SQLite file:
 * authorisation, the site's hosts, SSRF refusal, size and cache bounds, safe headers, no
 * forwarded credentials, and assets supplied by the customer's tab (docs/SECURITY.md, "Asset proxy").
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect, createAgent, joinAs, login, tenantOf } from '../relay/test-clients.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

interface Shop {
  origin: string;
  hits: Array<{ path: string; headers: http.IncomingHttpHeaders }>;
  routes: Map<string, (res: http.ServerResponse) => void>;
}

async function startShop(t: TestContext, host = '127.0.0.1'): Promise<Shop> {
  const hits: Shop['hits'] = [];
  const routes = new Map<string, (res: http.ServerResponse) => void>();
  const server = http.createServer((req, res) => {
    hits.push({ path: req.url ?? '', headers: req.headers });
    const route = routes.get(req.url ?? '');
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://${host}:${(server.address() as AddressInfo).port}`, hits, routes };
}

async function withServer(t: TestContext, env: Record<string, string>, resolve?: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({
    env,
    ...(resolve ? { assetResolve: async (host: string) => (resolve[host] ? [{ address: resolve[host]!, family: 4 }] : Promise.reject(new Error(`ENOTFOUND ${host}`))) } : {}),
  });
  t.after(() => server.close());
  return server;
}

/** A live session of a site with these origins, joined by the admin; answers the proxy token. */
async function liveSession(t: TestContext, server: RunningServer, origins: string[], options: { e2ee?: boolean } = {}) {
  const e2ee = options.e2ee === true;
  const site = await server.store.createSite({ tenantId: await tenantOf(server), name: 'Shop', allowedOrigins: origins, ...(e2ee ? { policy: { e2ee: true } } : {}) });
  const host = await connect(server, { origin: origins[0]! });
  t.after(() => host.ws.close());
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: site.siteKey, page: { url: `${origins[0]}/`, title: 'Shop' }, ...(e2ee ? { e2ee: true } : {}) });
  await host.next('welcome');
  host.send({ type: 'session_start' });
  const created = await host.next('session_created');
  const cookie = await login(server);
  const agent = e2ee ? await joinEncrypted(server, cookie, created.code) : (await joinAs(server, cookie, created.code)).agent;
  t.after(() => agent.ws.close());
  const res = await fetch(`${server.url}/api/sessions/${created.sessionId}/asset-token`, { headers: { cookie } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { enabled: boolean; token: string; expiresAt: number; path: string };
  assert.equal(body.enabled, true);
  return { ...body, sessionId: created.sessionId, resumeToken: created.resumeToken, cookie, host };
}

/** joinAs for an encrypted session: the console says it speaks E2EE. */
async function joinEncrypted(server: RunningServer, cookie: string, code: string) {
  const agent = await connect(server, { cookie });
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION, e2ee: true });
  await agent.next('welcome');
  agent.send({ type: 'join', code });
  await agent.next('joined');
  return agent;
}

const proxied = (server: RunningServer, token: string, url: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/assets/proxy?t=${encodeURIComponent(token)}&u=${encodeURIComponent(url)}`, { headers, redirect: 'manual' });

test('only an agent who joined the session gets a token, and the proxy refuses requests without a valid one', async (t) => {
  const shop = await startShop(t);
  shop.routes.set('/logo.png', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1' });
  const session = await liveSession(t, server, [shop.origin]);
  // Another agent of the same tenant who has not joined: no token.
  const outsider = await createAgent(server, 'agent');
  const refused = await fetch(`${server.url}/api/sessions/${session.sessionId}/asset-token`, { headers: { cookie: outsider } });
  assert.equal(refused.status, 404);
  assert.equal((await fetch(`${server.url}/api/sessions/${session.sessionId}/asset-token`)).status, 401, 'no login, no token');
  for (const token of ['', 'garbage', session.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), session.token.replace(session.sessionId, 'ses_other')]) {
    const res = await proxied(server, token, `${shop.origin}/logo.png`);
    assert.equal(res.status, 401, `token ${JSON.stringify(token.slice(0, 20))}`);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'asset_token_invalid');
  }
  assert.equal(shop.hits.length, 0, 'nothing was fetched for an invalid token');
  const ok = await proxied(server, session.token, `${shop.origin}/logo.png`);
  assert.equal(ok.status, 200);
  assert.deepEqual(Buffer.from(await ok.arrayBuffer()), PNG);
});

test('an expired token is refused', async (t) => {
  const shop = await startShop(t);
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1', ASSET_TOKEN_TTL_MS: '1000' });
  const session = await liveSession(t, server, [shop.origin]);
  const expired = server.assets.issueToken(await tenantOf(server), session.sessionId, Date.now() - 5000).token;
  assert.equal((await proxied(server, expired, `${shop.origin}/logo.png`)).status, 401);
});

test("only the site's hosts and the operator's list are fetched", async (t) => {
  const shop = await startShop(t);
  const other = await startShop(t);
  const listed = await startShop(t, 'localhost');
  for (const s of [shop, other, listed]) s.routes.set('/a.png', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1', ASSET_PROXY_ALLOW_HOSTS: 'localhost' });
  const session = await liveSession(t, server, [shop.origin]);
  // other.origin is 127.0.0.1 on another port: a different origin of the same host.
  const res = await proxied(server, session.token, `${other.origin}/a.png`);
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'asset_not_allowed');
  assert.equal(other.hits.length, 0);
  assert.equal((await proxied(server, session.token, `${listed.origin}/a.png`)).status, 200, 'a host on ASSET_PROXY_ALLOW_HOSTS is fetched');
  assert.equal((await proxied(server, session.token, 'file:///etc/passwd')).status, 403);
});

test('SSRF: a site host name that resolves to loopback is never fetched unless the operator allows private addresses', async (t) => {
  const shop = await startShop(t, 'shop.test');
  shop.routes.set('/logo.png', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
  const server = await withServer(t, {}, { 'shop.test': '127.0.0.1' });
  const session = await liveSession(t, server, [shop.origin]);
  const res = await proxied(server, session.token, `${shop.origin}/logo.png`);
  assert.equal(shop.hits.length, 0, 'the proxy did not connect');
  // The site's own host: the agent's browser may try it itself, as it would without a proxy.
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), `${shop.origin}/logo.png`);
  assert.equal(server.assets.stats().refused, 1);

  const allowing = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1' }, { 'shop.test': '127.0.0.1' });
  const allowed = await liveSession(t, allowing, [shop.origin]);
  const fetched = await proxied(allowing, allowed.token, `${shop.origin}/logo.png`);
  assert.equal(fetched.status, 200);
  assert.equal(shop.hits.length, 1);
});

test('size cap per asset, and a size-bounded LRU cache that evicts and reports', async (t) => {
  const shop = await startShop(t);
  const body = (n: number, fill: number) => Buffer.concat([PNG, Buffer.alloc(n, fill)]);
  shop.routes.set('/big.png', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(body(10_000, 1)));
  for (const name of ['a', 'b', 'c']) shop.routes.set(`/${name}.png`, (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(body(1500, name.charCodeAt(0))));
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1', ASSET_MAX_BYTES: '4096', ASSET_CACHE_BYTES: '4096' });
  const session = await liveSession(t, server, [shop.origin]);
  const big = await proxied(server, session.token, `${shop.origin}/big.png`);
  assert.equal(big.status, 413);
  for (const name of ['a', 'b', 'a', 'c']) assert.equal((await proxied(server, session.token, `${shop.origin}/${name}.png`)).status, 200);
  const stats = server.assets.stats();
  assert.ok(stats.bytes <= 4096, `cache holds ${stats.bytes} bytes`);
  assert.equal(stats.entries, 2, 'two of three fit');
  assert.equal(stats.evictions, 1);
  const fetchesBefore = shop.hits.length;
  await proxied(server, session.token, `${shop.origin}/a.png`);
  assert.equal(shop.hits.length, fetchesBefore, 'a (recently used) was kept: served from the cache');
  await proxied(server, session.token, `${shop.origin}/b.png`);
  assert.equal(shop.hits.length, fetchesBefore + 1, 'b (least recently used) was evicted: fetched again');
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /samepage_asset_cache_bytes \d+/);
  assert.match(metrics, /samepage_asset_cache_evictions [1-9]/);
});

test("the agent's cookies and Authorization never reach the site", async (t) => {
  const shop = await startShop(t);
  shop.routes.set('/logo.png', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1' });
  const session = await liveSession(t, server, [shop.origin]);
  const res = await proxied(server, session.token, `${shop.origin}/logo.png`, { cookie: `${session.cookie}; shop_session=agent-secret`, authorization: 'Bearer agent-secret', referer: `${server.url}/console/` });
  assert.equal(res.status, 200);
  const seen = shop.hits[0]!.headers;
  assert.equal(seen.cookie, undefined);
  assert.equal(seen.authorization, undefined);
  assert.equal(seen.referer, undefined);
  assert.equal(JSON.stringify(seen).includes('agent-secret'), false);
});

test('safe headers; HTML and script are refused; CSS comes back with its references through the proxy', async (t) => {
  const shop = await startShop(t);
  shop.routes.set('/page.png', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<script>alert(1)</script>'));
  shop.routes.set('/app.js', (res) => res.writeHead(200, { 'content-type': 'application/javascript' }).end('alert(1)'));
  shop.routes.set('/fake.svg', (res) => res.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<html><script>alert(1)</script></html>'));
  shop.routes.set('/font.bin', (res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from('wOF2\0\0\0\0')));
  shop.routes.set('/css/site.css', (res) => res.writeHead(200, { 'content-type': 'text/css' }).end('@font-face{font-family:F;src:url(../fonts/f.woff2)}body{background:url("/bg.png")}i{background:url(data:image/png;base64,AA==)}'));
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1' });
  const session = await liveSession(t, server, [shop.origin]);
  for (const path of ['/page.png', '/app.js', '/fake.svg']) {
    const res = await proxied(server, session.token, `${shop.origin}${path}`);
    assert.equal(res.status, 415, path);
  }
  const font = await proxied(server, session.token, `${shop.origin}/font.bin`);
  assert.equal(font.status, 200);
  assert.equal(font.headers.get('content-type'), 'font/woff2', 'sniffed from the bytes, never passed through');
  assert.equal(font.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(font.headers.get('access-control-allow-origin'), '*');
  assert.match(font.headers.get('content-security-policy') ?? '', /sandbox/);
  assert.equal(font.headers.get('set-cookie'), null);
  const css = await proxied(server, session.token, `${shop.origin}/css/site.css`);
  const text = await css.text();
  assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  assert.ok(text.includes(`/assets/proxy?t=${encodeURIComponent(session.token)}&u=${encodeURIComponent(`${shop.origin}/fonts/f.woff2`)}`), text);
  assert.ok(text.includes(`u=${encodeURIComponent(`${shop.origin}/bg.png`)}`), text);
  assert.ok(text.includes('data:image/png;base64,AA=='), 'data: URLs stay');
});

test("the customer's tab supplies assets only it can reach: announced, uploaded, and served to the session's agents only", async (t) => {
  const shop = await startShop(t);
  // Behind the customer's login: the site answers 403 to anyone else (the proxy included).
  shop.routes.set('/private/logo.png', (res) => res.writeHead(403).end());
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1', ASSET_UPLOAD_WAIT_MS: '5000' });
  const session = await liveSession(t, server, [shop.origin]);
  const url = `${shop.origin}/private/logo.png`;
  const upload = (path: string, body: BodyInit, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers: { origin: shop.origin, 'x-samepage-session': session.sessionId, 'x-samepage-key': session.resumeToken, ...headers } });

  const preflight = await fetch(`${server.url}/assets/session/asset`, { method: 'OPTIONS', headers: { origin: shop.origin, 'access-control-request-method': 'POST' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), shop.origin);
  assert.equal((await upload('/assets/session/manifest', JSON.stringify({ urls: [url, 'https://elsewhere.example/x.png'] }), { 'content-type': 'application/json' })).status, 200);
  // The agent asks before the bytes are there: the proxy waits for the announced upload.
  const waiting = proxied(server, session.token, url);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await upload('/assets/session/asset', PNG, { 'content-type': 'image/png', 'x-samepage-asset-url': url })).status, 204);
  const res = await waiting;
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-samepage-asset-source'), 'customer');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
  assert.equal(shop.hits.length, 0, 'the proxy never fetched it from the site');

  // Wrong key, wrong origin, another origin's URL, or HTML: refused.
  assert.equal((await upload('/assets/session/asset', PNG, { 'content-type': 'image/png', 'x-samepage-asset-url': url, 'x-samepage-key': 'wrong' })).status, 403);
  assert.equal((await upload('/assets/session/asset', PNG, { 'content-type': 'image/png', 'x-samepage-asset-url': url, origin: 'https://evil.example' })).status, 403);
  assert.equal((await upload('/assets/session/asset', PNG, { 'content-type': 'image/png', 'x-samepage-asset-url': 'https://elsewhere.example/x.png' })).status, 403);
  assert.equal((await upload('/assets/session/asset', '<html><script>1</script>', { 'content-type': 'text/html', 'x-samepage-asset-url': `${shop.origin}/x.html` })).status, 415);

  // Another session's agent cannot read this session's upload.
  const otherSession = await liveSession(t, server, [shop.origin]);
  const other = await proxied(server, otherSession.token, url);
  assert.notEqual(other.status, 200);
});

test('end-to-end encrypted session: the tab cannot upload assets (e2ee_feature_off), and the proxy fetches public addresses only, even with ASSET_PROXY_ALLOW_PRIVATE', async (t) => {
  const shop = await startShop(t, 'shop.test');
  shop.routes.set('/logo.png', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end(PNG));
  const server = await withServer(t, { ASSET_PROXY_ALLOW_PRIVATE: '1' }, { 'shop.test': '127.0.0.1' });
  const session = await liveSession(t, server, [shop.origin], { e2ee: true });
  const url = `${shop.origin}/logo.png`;
  const upload = (path: string, body: BodyInit, headers: Record<string, string>) =>
    fetch(`${server.url}${path}`, { method: 'POST', body, headers: { origin: shop.origin, 'x-samepage-session': session.sessionId, 'x-samepage-key': session.resumeToken, ...headers } });
  for (const [path, body, type] of [
    ['/assets/session/manifest', JSON.stringify({ urls: [url] }), 'application/json'],
    ['/assets/session/asset', PNG, 'image/png'],
  ] as const) {
    const res = await upload(path, body, { 'content-type': type, 'x-samepage-asset-url': url });
    assert.equal(res.status, 409, path);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'e2ee_feature_off', path);
  }
  assert.equal(server.assets.uploads.sessionIds().length, 0, 'nothing of the session is held');
  assert.equal(server.assets.cache.get(`s:${session.sessionId}:${url}`), null);

  // The operator allows private addresses, but not for an encrypted session: the site's host on
  // loopback is not fetched (the agent's browser is sent there itself, as without a proxy).
  const res = await proxied(server, session.token, url);
  assert.equal(res.status, 307);
  assert.equal(res.headers.get('location'), url);
  assert.equal(shop.hits.length, 0, 'the proxy did not connect');
  // Control: the same server fetches it for an unencrypted session of the same site host.
  const plain = await liveSession(t, server, [shop.origin]);
  assert.equal((await proxied(server, plain.token, url)).status, 200);
  assert.equal(shop.hits.length, 1);
});
