import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAppBody, encodeAppBody } from './app-bodies.ts';

test('chat, ctl and ctl_result bodies round-trip and are validated when opened', () => {
  assert.deepEqual(decodeAppBody('chat', encodeAppBody('chat', { clientId: 'c1', text: 'Hello' })), { v: 1, clientId: 'c1', text: 'Hello' });
  const action = { kind: 'type' as const, target: { id: 12, x: 3, y: 4 }, text: 'abc' };
  assert.deepEqual(decodeAppBody('ctl', encodeAppBody('ctl', { actionId: 7, action })), { v: 1, actionId: 7, action });
  assert.deepEqual(decodeAppBody('ctl_result', encodeAppBody('ctl_result', { actionId: 7, ok: false, failure: 'not_controller' })), { v: 1, actionId: 7, ok: false, failure: 'not_controller' });
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  assert.equal(decodeAppBody('ctl', bytes({ v: 1, actionId: 1, action: { kind: 'eval', code: 'alert(1)' } })), null, 'unknown actions are refused');
  assert.equal(decodeAppBody('chat', bytes({ v: 1, clientId: 'c', text: '' })), null, 'empty chat');
  assert.equal(decodeAppBody('chat', bytes({ v: 1, clientId: 'c', text: 'x', extra: 1 })), null, 'unknown keys');
  assert.equal(decodeAppBody('chat', new Uint8Array([0xff, 0xfe])), null, 'not UTF-8 JSON');
});
