import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatMessage } from '@samepage/protocol';
import { EMPTY_CHAT, addPending, createClientId, lastSeq, mergeMessages } from './chat-log.ts';

const msg = (seq: number, clientId = `k${seq}`): ChatMessage => ({
  seq,
  id: `m${seq}`,
  clientId,
  from: { participantId: 'host', name: 'Customer', role: 'host' },
  text: `hello ${seq}`,
  at: 1000 + seq,
});

test('messages are ordered by seq whatever order they arrive in', () => {
  const log = mergeMessages(mergeMessages(EMPTY_CHAT, [msg(3), msg(1)]), [msg(2)]);
  assert.deepEqual(log.messages.map((m) => m.seq), [1, 2, 3]);
});

test('a message that arrives twice (live and in history) is shown once', () => {
  const log = mergeMessages(mergeMessages(EMPTY_CHAT, [msg(1), msg(2)]), [msg(2), msg(3)]);
  assert.deepEqual(log.messages.map((m) => m.seq), [1, 2, 3]);
});

test('the server echo with the same clientId takes a message out of the outbox', () => {
  let log = addPending(EMPTY_CHAT, { clientId: 'mine', text: 'hi', at: 1 });
  log = addPending(log, { clientId: 'mine2', text: 'there', at: 2 });
  log = mergeMessages(log, [msg(1, 'mine')]);
  assert.deepEqual(log.outbox.map((p) => p.clientId), ['mine2']);
  assert.equal(log.messages.length, 1);
});

test('an echo found in chat_history after a reconnect also clears the outbox', () => {
  const log = mergeMessages(addPending(EMPTY_CHAT, { clientId: 'mine', text: 'hi', at: 1 }), [msg(4, 'other'), msg(5, 'mine')]);
  assert.deepEqual(log.outbox, []);
});

test('lastSeq stops before a gap, so chat_sync fills it', () => {
  assert.equal(lastSeq(EMPTY_CHAT), 0);
  assert.equal(lastSeq(mergeMessages(EMPTY_CHAT, [msg(1), msg(2), msg(3)])), 3);
  assert.equal(lastSeq(mergeMessages(EMPTY_CHAT, [msg(1), msg(2), msg(5)])), 2);
  assert.equal(lastSeq(mergeMessages(EMPTY_CHAT, [msg(40), msg(41)])), 41);
});

test('client ids differ from one message to the next', () => {
  assert.notEqual(createClientId(), createClientId());
  assert.ok(createClientId().length <= 64);
});
