import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_SESSION_STATE, hostStatus, sessionPhase, transition, type SessionEvent, type SessionState } from './session-state.ts';

function run(events: SessionEvent[], state: SessionState = INITIAL_SESSION_STATE): SessionState {
  for (const e of events) {
    const r = transition(state, e);
    assert.ok(r.ok, `${e.type} refused: ${r.ok ? '' : r.reason}`);
    state = r.state;
  }
  return state;
}

test('a new session waits for an agent, then is live', () => {
  assert.equal(sessionPhase(INITIAL_SESSION_STATE), 'waiting');
  assert.equal(sessionPhase(run([{ type: 'agent_joined' }])), 'live');
  assert.equal(sessionPhase(run([{ type: 'agent_joined' }, { type: 'agent_left' }])), 'waiting');
});

test('the customer pressing Stop ends the session, once', () => {
  const ended = run([{ type: 'agent_joined' }, { type: 'host_stopped' }]);
  assert.deepEqual(ended.ended, { by: 'customer', reason: 'stopped' });
  assert.equal(transition(ended, { type: 'agent_joined' }).ok, false);
  assert.equal(transition(ended, { type: 'host_stopped' }).ok, false);
});

test('a page load is announced, then resumed without ending', () => {
  const away = run([{ type: 'agent_joined' }, { type: 'host_unloading' }, { type: 'host_dropped' }]);
  assert.equal(sessionPhase(away), 'host_away');
  assert.equal(hostStatus(away), 'unloading');
  const back = run([{ type: 'host_resumed' }], away);
  assert.equal(sessionPhase(back), 'live');
  assert.equal(hostStatus(back), 'active');
});

test('a host that never comes back ends the session: closed after an unload, disconnected after a drop', () => {
  const closed = run([{ type: 'host_unloading' }, { type: 'host_dropped' }, { type: 'resume_timeout' }]);
  assert.deepEqual(closed.ended, { by: 'customer', reason: 'closed' });
  const dropped = run([{ type: 'host_dropped' }, { type: 'resume_timeout' }]);
  assert.deepEqual(dropped.ended, { by: 'customer', reason: 'disconnected' });
  assert.equal(hostStatus(run([{ type: 'host_dropped' }])), 'reconnecting');
});

test('a stale resume timer cannot end a session whose host is back', () => {
  const back = run([{ type: 'host_dropped' }, { type: 'host_resumed' }]);
  assert.equal(transition(back, { type: 'resume_timeout' }).ok, false);
});

test('visibility changes are reported as hidden and active', () => {
  assert.equal(hostStatus(run([{ type: 'host_visibility', visible: false }])), 'hidden');
  assert.equal(hostStatus(run([{ type: 'host_visibility', visible: false }, { type: 'host_visibility', visible: true }])), 'active');
});

test('an agent cannot leave a session nobody joined', () => {
  assert.equal(transition(INITIAL_SESSION_STATE, { type: 'agent_left' }).ok, false);
});
