import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_FAILURES, type Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { controlChangeNotice, describeController, failureText, ownControl } from './control-text.ts';

const people: Participant[] = [
  { id: 'host', name: 'Customer', role: 'host', color: '#16a34a' },
  { id: 'a1', name: 'Dana', role: 'agent', color: '#2563eb' },
  { id: 'a2', name: 'Ann', role: 'agent', color: '#db2777' },
];

test('the controller is named from this agent’s point of view', () => {
  assert.equal(describeController({ controllerId: null, pending: [] }, 'a1', people), 'The customer is in control');
  assert.equal(describeController({ controllerId: 'a1', pending: [] }, 'a1', people), 'You are in control');
  assert.equal(describeController({ controllerId: 'a2', pending: [] }, 'a1', people), 'Ann is in control');
});

test('own control follows pending and controller', () => {
  assert.equal(ownControl({ controllerId: null, pending: ['a1'] }, 'a1'), 'pending');
  assert.equal(ownControl({ controllerId: 'a1', pending: [] }, 'a1'), 'in_control');
  assert.equal(ownControl({ controllerId: 'a2', pending: [] }, 'a1'), 'none');
});

test('a denied request and a revoke are told to the agent concerned, not to others', () => {
  const pending = { controllerId: null, pending: ['a1'] };
  const idle = { controllerId: null, pending: [] };
  assert.equal(controlChangeNotice(pending, idle, 'denied', 'a1'), t.controlDenied);
  assert.equal(controlChangeNotice(pending, idle, 'denied', 'a2'), null);
  assert.equal(controlChangeNotice({ controllerId: 'a1', pending: [] }, idle, 'revoked', 'a1'), 'The customer took back control');
  assert.equal(controlChangeNotice({ controllerId: 'a1', pending: [] }, idle, 'released', 'a1'), null);
});

test('every control failure has its own polite sentence', () => {
  const texts = new Set(CONTROL_FAILURES.map((f) => failureText(f, 'raw')));
  assert.equal(texts.size, CONTROL_FAILURES.length);
  assert.equal(failureText('node_gone', undefined), 'That element is no longer on the page.');
  assert.equal(failureText('redacted_field', undefined), 'That field is protected and cannot be typed into.');
  assert.equal(failureText('origin_not_allowed', undefined), 'Navigation to that site is not allowed.');
  assert.equal(failureText(undefined, 'Custom'), 'Custom');
});
