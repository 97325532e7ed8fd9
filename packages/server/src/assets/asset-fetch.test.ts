/**
 * SSRF protection of the asset proxy's fetcher, with real sockets. No machine here has a public
 * address, so these tests stand in a policy where 127.0.0.1 plays the public internet and
 * 127.0.0.2 a private network (both reach the same loopback server); the real policy
 * (isSpecialAddress) is tested on its own below and through the server in asset-proxy.test.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { isHostAllowed, isSpecialAddress } from './address-policy.ts';
import { fetchAsset, type FetchOptions } from './asset-fetch.ts';

interface Upstream {
  port: number;
  hits: Array<{ host: string; path: string; headers: http.IncomingHttpHeaders }>;
}

async function startUpstream(t: TestContext, handler: (req: http.IncomingMessage, res: http.ServerResponse, port: number) => void): Promise<Upstream> {
  const hits: Upstream['hits'] = [];
  const server = http.createServer((req, res) => {
    hits.push({ host: req.headers.host ?? '', path: req.url ?? '', headers: req.headers });
    handler(req, res, (server.address() as AddressInfo).port);
  });
  // 0.0.0.0: reachable as 127.0.0.1 ("public") and 127.0.0.2 ("private").
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, hits };
}

const DNS: Record<string, string> = { 'shop.test': '127.0.0.1', 'internal.test': '127.0.0.2', 'cdn.test': '127.0.0.1' };
const options = (allowedHosts: string[]): FetchOptions => ({
  allowPrivate: false,
  maxBytes: 10_000,
  timeoutMs: 5000,
  isAllowed: (url) => isHostAllowed(url, [], allowedHosts),
  resolve: async (host) => {
    const address = DNS[host];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: 4 }];
  },
  isBlockedAddress: (ip) => ip !== '127.0.0.1',
});

test('a redirect to a host that resolves to a private address is refused, and the private host is never contacted', async (t) => {
  const up = await startUpstream(t, (req, res, port) => {
    if (req.url === '/logo.png') return void res.writeHead(302, { location: `http://internal.test:${port}/secret.png` }).end();
    res.writeHead(200, { 'content-type': 'image/png' }).end('secret');
  });
  const result = await fetchAsset(new URL(`http://shop.test:${up.port}/logo.png`), options(['shop.test', 'internal.test']));
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.code, 'asset_not_allowed');
  assert.equal(!result.ok && result.privateAddress, false, 'a refused redirect hop never becomes a redirect for the agent');
  assert.deepEqual(up.hits.map((h) => h.path), ['/logo.png'], 'the private target was never requested');
});

test('a redirect to a private IP literal is refused before connecting', async (t) => {
  const up = await startUpstream(t, (req, res, port) => {
    if (req.url === '/logo.png') return void res.writeHead(301, { location: `http://127.0.0.2:${port}/secret.png` }).end();
    res.writeHead(200, { 'content-type': 'image/png' }).end('secret');
  });
  const result = await fetchAsset(new URL(`http://shop.test:${up.port}/logo.png`), options(['shop.test', '127.0.0.2']));
  assert.equal(!result.ok && result.code, 'asset_not_allowed');
  assert.deepEqual(up.hits.map((h) => h.path), ['/logo.png']);
});

test('every redirect hop is checked against the allowed hosts', async (t) => {
  const up = await startUpstream(t, (req, res, port) => {
    if (req.url === '/logo.png') return void res.writeHead(302, { location: `http://cdn.test:${port}/cdn-logo.png` }).end();
    res.writeHead(200, { 'content-type': 'image/png' }).end('png');
  });
  const refused = await fetchAsset(new URL(`http://shop.test:${up.port}/logo.png`), options(['shop.test']));
  assert.equal(!refused.ok && refused.code, 'asset_not_allowed');
  assert.equal(up.hits.length, 1, 'cdn.test, not allowed, was not contacted');
  const followed = await fetchAsset(new URL(`http://shop.test:${up.port}/logo.png`), options(['shop.test', 'cdn.test']));
  assert.equal(followed.ok && followed.bytes.toString(), 'png', 'an allowed redirect is followed');
});

test('a host that resolves to a private address is refused on the first hop, flagged for the site fallback', async (t) => {
  const up = await startUpstream(t, (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('secret'));
  const result = await fetchAsset(new URL(`http://internal.test:${up.port}/logo.png`), options(['internal.test']));
  assert.equal(!result.ok && result.code, 'asset_not_allowed');
  assert.equal(!result.ok && result.privateAddress, true);
  assert.equal(up.hits.length, 0);
});

test('the size cap holds with and without Content-Length', async (t) => {
  const big = Buffer.alloc(20_000, 1);
  const up = await startUpstream(t, (req, res) => {
    if (req.url === '/declared.png') return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(big.length) }).end(big);
    res.writeHead(200, { 'content-type': 'image/png' });
    res.write(big.subarray(0, 8000));
    res.end(big.subarray(8000));
  });
  for (const path of ['/declared.png', '/chunked.png']) {
    const result = await fetchAsset(new URL(`http://shop.test:${up.port}${path}`), options(['shop.test']));
    assert.equal(!result.ok && result.code, 'asset_too_large', path);
  }
});

test('no credentials: the request carries no cookie, authorization or referer, and URLs with credentials are refused', async (t) => {
  const up = await startUpstream(t, (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end('png'));
  const result = await fetchAsset(new URL(`http://shop.test:${up.port}/a.png`), options(['shop.test']));
  assert.equal(result.ok, true);
  const headers = up.hits[0]!.headers;
  assert.equal(headers.cookie, undefined);
  assert.equal(headers.authorization, undefined);
  assert.equal(headers.referer, undefined);
  const withUser = await fetchAsset(new URL(`http://user:pw@shop.test:${up.port}/a.png`), options(['shop.test']));
  assert.equal(!withUser.ok && withUser.code, 'asset_not_allowed');
  assert.equal(up.hits.length, 1);
});

test('special addresses: loopback, private, link-local, CGNAT, documentation, mapped and NAT64 forms', () => {
  for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '192.0.2.2', '::1', 'fe80::1', 'fd00::2', '::ffff:127.0.0.1', '64:ff9b::a00:1', '2002:a00:1::1']) {
    assert.equal(isSpecialAddress(ip), true, ip);
  }
  for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) assert.equal(isSpecialAddress(ip), false, ip);
});

test('allowed hosts: site origins match scheme and host, operator globs match host names', () => {
  const origins = ['https://shop.example.com', 'https://*.cdn.example.com', 'self'];
  assert.equal(isHostAllowed(new URL('https://shop.example.com/a.png'), origins, []), true);
  assert.equal(isHostAllowed(new URL('http://shop.example.com/a.png'), origins, []), false, 'the scheme is part of an origin');
  assert.equal(isHostAllowed(new URL('https://img.cdn.example.com/a.png'), origins, []), true);
  assert.equal(isHostAllowed(new URL('https://evil.com/a.png'), origins, []), false);
  assert.equal(isHostAllowed(new URL('https://shop.example.com.evil.com/a.png'), origins, []), false);
  assert.equal(isHostAllowed(new URL('http://fonts.example.net/f.woff2'), origins, ['*.example.net']), true);
  assert.equal(isHostAllowed(new URL('http://example.net.evil.com/f.woff2'), origins, ['*.example.net']), false);
});
