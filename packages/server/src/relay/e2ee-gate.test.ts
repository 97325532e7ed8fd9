import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { E2eeHeader } from '@samepage/protocol';
import { E2eeGate, type E2eeMembersView } from './e2ee-gate.ts';
import { E2EE_LIMITS, EPOCHS_REMEMBERED } from './e2ee-limits.ts';
import { e2eeFrame } from './test-clients.ts';

// Members 0 (customer), 1 and 2 (agents); 1 holds control.
const view: E2eeMembersView = { has: (n) => n <= 2, isController: (n) => n === 1 };
const frame = (h: Partial<E2eeHeader> & Pick<E2eeHeader, 'type'>, body = 16) => e2eeFrame(h, body);
const codeOf = (gate: E2eeGate, f: Uint8Array, sender: number) => {
  const v = gate.check(f, sender, view);
  return v.ok ? 'ok' : v.code;
};

test('a frame that is not a well-formed E2EE frame is refused with e2ee_bad_header', () => {
  const gate = new E2eeGate(1 << 20);
  const good = frame({ type: 'dom_keyframe' });
  assert.equal(codeOf(gate, good.subarray(0, 25), 0), 'e2ee_bad_header', 'length does not match the header');
  const unencryptedChat = Buffer.from(good);
  unencryptedChat[2] = 0x10;
  unencryptedChat[3] = 0;
  assert.equal(codeOf(gate, unencryptedChat, 0), 'e2ee_bad_header', 'only pairing travels in the clear');
});

test('the sender field must be the socket’s member number (e2ee_sender_mismatch)', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'chat', sender: 2, epoch: 0 }), 1), 'e2ee_sender_mismatch');
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', sender: 1 }), 0), 'e2ee_sender_mismatch');
});

test('each type comes only from who may send it (E2EE_TYPE_SENDERS) (e2ee_type_forbidden, e2ee_not_controller)', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', sender: 1 }), 1), 'e2ee_type_forbidden', 'agents send no DOM');
  assert.equal(codeOf(gate, frame({ type: 'key', sender: 1, to: 2 }), 1), 'e2ee_type_forbidden', 'agents send no keys');
  assert.equal(codeOf(gate, frame({ type: 'ctl', sender: 0, to: 1 }), 0), 'e2ee_type_forbidden', 'the customer sends no control');
  assert.equal(codeOf(gate, frame({ type: 'vouch', sender: 0, to: 1 }), 0), 'e2ee_type_forbidden');
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', epoch: 1 }), 0), 'ok');
  assert.equal(codeOf(gate, frame({ type: 'ctl', sender: 2, to: 0, epoch: 1 }), 2), 'e2ee_not_controller', 'member 2 does not hold control');
  assert.equal(codeOf(gate, frame({ type: 'ctl', sender: 1, to: 0, epoch: 1 }), 1), 'ok', 'member 1 does');
});

test('pairwise frames go to an existing member of the right kind (e2ee_bad_recipient)', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'key', to: 7 }), 0), 'e2ee_bad_recipient', 'member 7 is not there');
  assert.equal(codeOf(gate, frame({ type: 'key', to: 0 }), 0), 'e2ee_bad_recipient', 'keys go to agents');
  assert.equal(codeOf(gate, frame({ type: 'ctl', sender: 1, to: 2, epoch: 1 }), 1), 'e2ee_bad_recipient', 'control goes to the customer');
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 1, to: 1 }), 1), 'e2ee_bad_recipient', 'not to oneself');
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 1, to: 2 }), 1), 'ok', 'an agent pairs with another agent (vouching)');
});

test('the epoch only moves forward: the customer starts one with any frame; agents use the current one except for pair and vouch (e2ee_stale_epoch)', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'chat', sender: 1, epoch: 0 }), 1), 'e2ee_stale_epoch', 'no epoch yet');
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', epoch: 5, seq: 1 }), 0), 'ok');
  assert.equal(gate.epoch, 5);
  assert.equal(codeOf(gate, frame({ type: 'dom_delta', epoch: 4, seq: 2 }), 0), 'e2ee_stale_epoch', 'the customer cannot go back');
  assert.equal(codeOf(gate, frame({ type: 'chat', sender: 1, epoch: 6 }), 1), 'e2ee_stale_epoch', 'agents cannot start an epoch');
  assert.equal(codeOf(gate, frame({ type: 'chat', sender: 1, epoch: 5 }), 1), 'ok');
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 2, to: 0, epoch: 0 }), 2), 'ok', 'pairing with any epoch');
  assert.equal(codeOf(gate, frame({ type: 'vouch', sender: 1, to: 0, epoch: 99 }), 1), 'ok', 'vouching with any epoch');
  assert.equal(gate.epoch, 5, 'agents never move the epoch');
  assert.equal(codeOf(gate, frame({ type: 'key', to: 1, epoch: 6, seq: 1 }), 0), 'ok', 'a key frame of a new epoch starts it');
  assert.equal(gate.epoch, 6);
  assert.equal(codeOf(gate, frame({ type: 'pair', to: 2, epoch: 40 }), 0), 'ok');
  assert.equal(gate.epoch, 6, 'pairing does not start an epoch');
});

test('seq strictly increases per (sender, epoch, to); streams are independent (e2ee_seq_replay)', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', epoch: 1, seq: 10 }), 0), 'ok');
  assert.equal(codeOf(gate, frame({ type: 'dom_delta', epoch: 1, seq: 10 }), 0), 'e2ee_seq_replay', 'same seq again');
  assert.equal(codeOf(gate, frame({ type: 'dom_delta', epoch: 1, seq: 9 }), 0), 'e2ee_seq_replay', 'lower seq');
  assert.equal(codeOf(gate, frame({ type: 'chat', epoch: 1, seq: 12 }), 0), 'ok', 'gaps are allowed');
  assert.equal(codeOf(gate, frame({ type: 'key', to: 1, epoch: 1, seq: 1 }), 0), 'ok', 'to member 1 is another stream');
  assert.equal(codeOf(gate, frame({ type: 'key', to: 2, epoch: 1, seq: 1 }), 0), 'ok', 'to member 2 is another stream');
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', epoch: 2, seq: 1 }), 0), 'ok', 'a new epoch is a new stream');
  assert.equal(codeOf(gate, frame({ type: 'chat', sender: 1, epoch: 2, seq: 1 }), 1), 'ok', 'another sender is another stream');
  assert.equal(codeOf(gate, frame({ type: 'chat', sender: 1, epoch: 2, seq: 1 }), 1), 'e2ee_seq_replay');
});

test(`per (sender, to) only ${EPOCHS_REMEMBERED} epochs are remembered; older ones are refused, not replayable`, () => {
  const gate = new E2eeGate(1 << 20);
  for (let epoch = 1; epoch <= EPOCHS_REMEMBERED + 1; epoch++) assert.equal(codeOf(gate, frame({ type: 'pair', sender: 1, to: 0, epoch, seq: 1 }), 1), 'ok');
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 1, to: 0, epoch: 1, seq: 5 }), 1), 'e2ee_stale_epoch', 'epoch 1 was forgotten: refused, not replayable');
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 1, to: 0, epoch: 2, seq: 1 }), 1), 'e2ee_seq_replay', 'epoch 2 is still remembered');
});

test('size and rate limits per type (e2ee_frame_too_large, e2ee_rate_limited)', () => {
  const gate = new E2eeGate(1 << 20, { ...E2EE_LIMITS, chat: { maxBytes: 100, perSecond: 3 } }, () => 1000);
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', epoch: 1, seq: 1 }), 0), 'ok');
  assert.equal(codeOf(gate, frame({ type: 'chat', epoch: 1, seq: 2 }, 200), 0), 'e2ee_frame_too_large');
  assert.equal(codeOf(gate, frame({ type: 'key', to: 1, epoch: 1, seq: 1 }, 5000), 0), 'e2ee_frame_too_large', 'keys are small');
  const small = new E2eeGate(1000);
  assert.equal(codeOf(small, frame({ type: 'dom_keyframe', epoch: 1, seq: 1 }, 2000), 0), 'e2ee_frame_too_large', 'DOM frames keep MAX_FRAME_BYTES');
  const results = [3, 4, 5, 6].map((seq) => codeOf(gate, frame({ type: 'chat', epoch: 1, seq }), 0));
  assert.deepEqual(results, ['ok', 'ok', 'ok', 'e2ee_rate_limited'], 'the clock stands still: 3 chat frames a second (the oversized one was refused before counting)');
});

test('a member who left has its streams forgotten', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 2, to: 0, seq: 3 }), 2), 'ok');
  gate.forget(2);
  assert.equal(codeOf(gate, frame({ type: 'pair', sender: 2, to: 0, seq: 3 }), 2), 'ok');
});

test('pair frames are a sequence stream of their own: pairing and keyed frames to the same member do not collide', () => {
  const gate = new E2eeGate(1 << 20);
  assert.equal(codeOf(gate, frame({ type: 'dom_keyframe', epoch: 3, seq: 0 }), 0), 'ok');
  assert.equal(codeOf(gate, frame({ type: 'pair', to: 1, epoch: 3, seq: 0 }), 0), 'ok', 'the offer');
  assert.equal(codeOf(gate, frame({ type: 'key', to: 1, epoch: 3, seq: 0 }), 0), 'ok', 'the first key under the pairwise key: seq 0 of its own stream');
  assert.equal(codeOf(gate, frame({ type: 'pair', to: 1, epoch: 3, seq: 1 }), 0), 'ok', 'the confirmation');
  assert.equal(codeOf(gate, frame({ type: 'pair', to: 1, epoch: 3, seq: 1 }), 0), 'e2ee_seq_replay', 'a replayed pair frame is still refused');
  assert.equal(codeOf(gate, frame({ type: 'ctl_result', to: 1, epoch: 3, seq: 0 }), 0), 'e2ee_seq_replay', 'keyed frames share the pairwise key’s counter');
});
