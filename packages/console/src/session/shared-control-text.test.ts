import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Participant } from '@samepage/protocol';
import { toolsFor } from './permissions.ts';
import { describeSharedController, sharedControlNotice, waitingCustomers } from './shared-control-text.ts';

const people: Participant[] = [
  { id: 'host', name: 'Customer', role: 'host', color: '#16a34a' },
  { id: 'sam', name: 'Sam', role: 'agent', color: '#e11d48' },
  { id: 'ada', name: 'Ada', role: 'guest', color: '#2563eb' },
];
const none = { controllerId: null, pending: [] };

test('who drives a shared browser, as each side reads it', () => {
  assert.equal(describeSharedController(none, 'sam', people), 'Nobody is driving the shared browser');
  assert.equal(describeSharedController({ controllerId: 'ada', pending: [] }, 'sam', people), 'Ada (customer) is in control');
  assert.equal(describeSharedController({ controllerId: 'ada', pending: [] }, 'ada', people), 'You are in control');
  assert.equal(describeSharedController({ controllerId: 'sam', pending: [] }, 'ada', people), 'Sam is in control');
  assert.deepEqual(waitingCustomers({ controllerId: 'sam', pending: ['ada'] }, people).map((p) => p.id), ['ada']);
});

test('notices: the agent hears the request and the give-back; the customer hears grant, decline and take-back', () => {
  assert.equal(sharedControlNotice(none, { controllerId: null, pending: ['ada'] }, 'requested', 'sam', people), 'Ada asks for control of the shared browser.');
  assert.equal(sharedControlNotice({ controllerId: null, pending: ['ada'] }, { controllerId: 'ada', pending: [] }, 'granted', 'ada', people), 'You are in control: your clicks, typing and scrolling drive the shared browser.');
  assert.equal(sharedControlNotice({ controllerId: 'ada', pending: [] }, { controllerId: 'sam', pending: [] }, 'taken_back', 'ada', people), 'Sam took control back.');
  assert.equal(sharedControlNotice({ controllerId: null, pending: ['ada'] }, none, 'denied', 'ada', people), 'The agent declined your request for control.');
  assert.equal(sharedControlNotice({ controllerId: 'ada', pending: [] }, none, 'released', 'sam', people), 'Ada gave control back.');
  assert.equal(sharedControlNotice({ controllerId: 'ada', pending: [] }, none, 'released', 'ada', people), null, 'no notice for your own release');
});

test('a guest may ask for control only in a shared browser', () => {
  assert.equal(toolsFor({ kind: 'guest' }, { allowNavigation: true }).control, false);
  const shared = toolsFor({ kind: 'guest' }, { allowNavigation: true }, true);
  assert.equal(shared.control, true);
  assert.equal(shared.navigate, true);
  assert.equal(shared.draw, false);
  assert.equal(toolsFor({ kind: 'guest' }, { allowNavigation: false }, true).navigate, false);
});
