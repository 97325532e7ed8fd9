import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeHostUi } from './host-ui-text.ts';

const idle = { pending: [] as string[] };

test('nothing is said until the widget reports (headless sites never do)', () => {
  assert.equal(describeHostUi(null, idle, 'a1'), null);
});

test('each widget part is named, in the order the widget reports them', () => {
  assert.equal(describeHostUi(['banner', 'chat'], idle, 'a1'), 'Customer sees: the Samepage banner · chat open');
  assert.equal(describeHostUi(['launcher'], idle, 'a1'), 'Customer sees: the Get help button');
  assert.equal(describeHostUi(['code'], idle, 'a1'), 'Customer sees: the session code');
  assert.equal(describeHostUi(['banner', 'invite'], idle, 'a1'), 'Customer sees: the Samepage banner · the invite card');
  assert.equal(describeHostUi([], idle, 'a1'), 'Customer sees: no Samepage widget');
});

test('an open prompt is this agent’s control request while it waits, else someone else’s, else a consent prompt', () => {
  assert.equal(describeHostUi(['banner', 'prompt'], { pending: ['a1'] }, 'a1'), 'Customer sees: the Samepage banner · your control request');
  assert.equal(describeHostUi(['prompt'], { pending: ['a2'] }, 'a1'), 'Customer sees: a control request');
  assert.equal(describeHostUi(['prompt'], idle, 'a1'), 'Customer sees: a consent prompt');
  assert.equal(describeHostUi(['prompt'], { pending: ['a1'] }, null), 'Customer sees: a control request');
});
