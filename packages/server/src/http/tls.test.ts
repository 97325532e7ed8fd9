/** TLS served by Samepage itself (TLS_CERT, TLS_KEY): HTTPS, WSS, Secure cookies, HSTS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME, PROTOCOL_VERSION } from '@samepage/protocol';
import { startServer } from '../server.ts';
import { makeSelfSignedCert } from '../testing/self-signed-cert.ts';
import { httpsLogin, httpsRequest, openWss } from '../testing/https-client.ts';

async function startTlsServer(t: import('node:test').TestContext) {
  const cert = makeSelfSignedCert();
  t.after(() => cert.remove());
  const server = await startServer({ env: { TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath } });
  t.after(() => server.close());
  return { server, ca: cert.cert };
}

test('with TLS_CERT and TLS_KEY the server speaks HTTPS only, and sends HSTS and the security headers', async (t) => {
  const { server, ca } = await startTlsServer(t);
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const health = await httpsRequest(`${server.url}/healthz`, { ca });
  assert.equal(health.status, 200);
  assert.equal(health.headers['strict-transport-security'], 'max-age=15552000');
  assert.equal(health.headers['x-content-type-options'], 'nosniff');
  assert.equal(health.headers['referrer-policy'], 'strict-origin-when-cross-origin');

  const consolePage = await httpsRequest(`${server.url}/console/`, { ca });
  assert.equal(consolePage.status, 200);
  assert.match(String(consolePage.headers['content-security-policy']), /script-src 'self'/);
  assert.equal(consolePage.headers['x-frame-options'], 'DENY');
  assert.ok(consolePage.headers['strict-transport-security']);

  // The certificate is really checked: without trusting it, the handshake fails.
  await assert.rejects(httpsRequest(`${server.url}/healthz`, { ca: Buffer.from('') }), /self.signed|certificate/i);
  // Plain HTTP on the same port gets no answer from the app.
  const plain = await new Promise<string>((resolve) => {
    const req = http.get(server.url.replace('https:', 'http:') + '/healthz', (res) => resolve(`HTTP ${res.statusCode}`));
    req.on('error', (err) => resolve(`error ${err.message}`));
  });
  assert.doesNotMatch(plain, /HTTP 200/);
});

test('over HTTPS the login cookie is Secure, HttpOnly and SameSite, and logout clears it with Secure', async (t) => {
  const { server, ca } = await startTlsServer(t);
  const { setCookie, cookie } = await httpsLogin(server.url, ca, server.admin.email, server.admin.password);
  assert.match(setCookie, /^sp_session=/);
  assert.match(setCookie, /; Secure/);
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Lax/);
  const me = await httpsRequest(`${server.url}/api/auth/me`, { ca, headers: { cookie } });
  assert.equal(me.status, 200);
  const out = await httpsRequest(`${server.url}/api/auth/logout`, { ca, method: 'POST', headers: { cookie, 'x-samepage-csrf': '1' } });
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /Max-Age=0.*; Secure/);
});

test('over WSS a customer starts a session, an agent joins by code, and frames and pointers flow both ways', async (t) => {
  const { server, ca } = await startTlsServer(t);
  const { cookie } = await httpsLogin(server.url, ca, server.admin.email, server.admin.password);
  const wsUrl = server.url.replace('https:', 'wss:') + '/ws';

  const host = await openWss(wsUrl, { ca, origin: server.url });
  t.after(() => host.ws.close());
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: server.demoSiteKey, page: { url: `${server.url}/`, title: 'Shop' } });
  await host.waitFor(() => host.json.some((m) => m.type === 'welcome'), 'welcome');
  host.send({ type: 'session_start' });
  await host.waitFor(() => host.json.some((m) => m.type === 'session_created'), 'session_created');
  const created = host.json.find((m) => m.type === 'session_created')!;
  host.ws.send(encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch: 1, seq: 0 }, new Uint8Array([7, 7, 7])));

  const agent = await openWss(wsUrl, { ca, origin: server.url, cookie });
  t.after(() => agent.ws.close());
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await agent.waitFor(() => agent.json.some((m) => m.type === 'welcome'), 'agent welcome');
  agent.send({ type: 'join', code: created.code });
  await agent.waitFor(() => agent.json.some((m) => m.type === 'joined'), 'joined');
  await agent.waitFor(() => agent.frames.length === 1, 'the cached keyframe');
  assert.deepEqual([...agent.frames[0]!.subarray(12)], [7, 7, 7]);

  host.ws.send(encodeDomFrame({ flags: FLAG_DEFLATE, epoch: 1, seq: 1 }, new Uint8Array([8])));
  await agent.waitFor(() => agent.frames.length === 2, 'a live delta');
  agent.send({ type: 'pointer', x: 10, y: 20 });
  await host.waitFor(() => host.json.some((m) => m.type === 'agent_pointer'), 'agent_pointer');
});
