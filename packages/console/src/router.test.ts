import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, routePath } from './router.ts';

test('console paths map to screens, with or without a trailing slash', () => {
  assert.deepEqual(parseRoute('/console/'), { name: 'home' });
  assert.deepEqual(parseRoute('/console'), { name: 'home' });
  assert.deepEqual(parseRoute('/console/login'), { name: 'login' });
  assert.deepEqual(parseRoute('/console/join/123-456'), { name: 'join', code: '123-456' });
  assert.deepEqual(parseRoute('/console/session/s_1/'), { name: 'session', sessionId: 's_1' });
  assert.deepEqual(parseRoute('/console/sessions/s_9'), { name: 'session_detail', sessionId: 's_9' });
  assert.deepEqual(parseRoute('/console/watch/tok_1'), { name: 'watch', token: 'tok_1' });
  assert.deepEqual(parseRoute('/console/recordings/s_9'), { name: 'recording', sessionId: 's_9' });
  assert.deepEqual(parseRoute('/console/admin/users'), { name: 'admin_users' });
  assert.deepEqual(parseRoute('/console/admin/audit/'), { name: 'admin_audit' });
  assert.deepEqual(parseRoute('/console/admin/nope'), { name: 'not_found' });
  assert.deepEqual(parseRoute('/console/nope/x/y'), { name: 'not_found' });
});

test('routePath is the inverse of parseRoute', () => {
  for (const path of ['/console/', '/console/login', '/console/join/123456', '/console/session/abc', '/console/sessions/abc', '/console/recordings/abc', '/console/watch/t1', '/console/admin/users', '/console/admin/sites', '/console/admin/usage', '/console/admin/audit', '/console/admin/settings']) {
    assert.equal(routePath(parseRoute(path)), path);
  }
});
