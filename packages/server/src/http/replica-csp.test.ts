import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server.ts';
import { hashPassword } from '../auth/passwords.ts';
import { login, startHostSession } from '../relay/test-clients.ts';
import { buildReplicaCsp } from './replica-csp.ts';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

test('the replica CSP allows assets from the site’s origins only, and no script, frame, form or connection', () => {
  const csp = directives(buildReplicaCsp(['https://shop.example.com', 'https://*.cdn.example.com', 'self']));
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('img-src'), ['https://shop.example.com', 'https://*.cdn.example.com', "'self'", 'data:', 'blob:']);
  assert.deepEqual(csp.get('style-src'), ['https://shop.example.com', 'https://*.cdn.example.com', "'self'", "'unsafe-inline'"]);
  for (const name of ['script-src', 'object-src', 'frame-src', 'connect-src', 'form-action', 'base-uri']) assert.deepEqual(csp.get(name), ["'none'"], name);
});

test('an allowed-origins entry cannot inject CSP directives or sources', () => {
  const csp = buildReplicaCsp(["https://shop.example.com; script-src 'unsafe-inline'", 'https://a.example.com *', "'unsafe-eval'", 'javascript:', '*']);
  assert.doesNotMatch(csp, /unsafe-eval|javascript|script-src 'unsafe-inline'|\s\*(\s|;|$)/);
  assert.deepEqual(directives(csp).get('img-src'), ['data:', 'blob:']);
});

test('GET /api/sessions/:id/replica-csp answers for the agent’s own tenant only', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const { host, created } = await startHostSession(server);
  t.after(() => host.ws.close());
  const cookie = await login(server);
  const url = `${server.url}/api/sessions/${created.sessionId}/replica-csp`;
  // The session row is written just after session_created: ask until it is there.
  let own = await fetch(url, { headers: { cookie } });
  for (let i = 0; i < 40 && own.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 25));
    own = await fetch(url, { headers: { cookie } });
  }
  assert.equal(own.status, 200);
  assert.match(((await own.json()) as { csp: string }).csp, /img-src 'self' data: blob:/);
  assert.equal((await fetch(url)).status, 401);

  const other = await server.store.createTenant('Other company');
  await server.store.createUser({ tenantId: other.id, email: 'admin@other.test', name: 'Other', role: 'admin', passwordHash: await hashPassword('other-password') });
  const otherCookie = await login(server, 'admin@other.test', 'other-password');
  const foreign = await fetch(url, { headers: { cookie: otherCookie } });
  assert.equal(foreign.status, 404);
  assert.doesNotMatch(await foreign.text(), /img-src/);
});
