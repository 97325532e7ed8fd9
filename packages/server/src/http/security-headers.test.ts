/** The usual security headers on every response, and the console's strict CSP. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../server.ts';

test('every kind of response carries nosniff and a referrer policy, and no HSTS over plain HTTP', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  const paths = ['/healthz', '/index.html', '/sdk.js', '/console/', '/no-such-page', '/api/auth/me', '/api/sessions'];
  for (const path of paths) {
    const res = await fetch(server.url + path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', path);
    assert.equal(res.headers.get('strict-transport-security'), null, `${path}: HSTS over plain HTTP would be ignored and misleading`);
  }
  const csrf = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(csrf.status, 403);
  assert.equal(csrf.headers.get('x-content-type-options'), 'nosniff', 'refused requests too');
});

test('the console is served with a strict CSP: own scripts only, no plugins, not frameable', async (t) => {
  const server = await startServer();
  t.after(() => server.close());
  for (const path of ['/console/', '/console/join/123456']) {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    assert.deepEqual(directives.get('script-src'), ["'self'"], `${path}: no inline or foreign script`);
    assert.deepEqual(directives.get('object-src'), ["'none'"]);
    assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(directives.get('base-uri'), ["'self'"]);
    assert.deepEqual(directives.get('form-action'), ["'self'"]);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  }
});
