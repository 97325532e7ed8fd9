import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, routePath } from './router.ts';

test('the inbox, a message and a share link have console paths, and routePath inverts them', () => {
  assert.deepEqual(parseRoute('/console/inbox'), { name: 'inbox' });
  assert.deepEqual(parseRoute('/console/messages/fu_1/'), { name: 'message', messageId: 'fu_1' });
  assert.deepEqual(parseRoute('/console/shared/sh_9'), { name: 'shared', shareId: 'sh_9' });
  assert.deepEqual(parseRoute('/console/shared/'), { name: 'not_found' });
  for (const path of ['/console/inbox', '/console/messages/fu_1', '/console/shared/sh_9']) assert.equal(routePath(parseRoute(path)), path);
});
