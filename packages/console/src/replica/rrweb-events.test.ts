import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readOverlayChange } from './rrweb-events.ts';

test('the viewport comes from Meta and later ViewportResize events', () => {
  const change = readOverlayChange([
    { type: 4, timestamp: 1, data: { href: 'x', width: 1280, height: 720 } },
    { type: 3, timestamp: 2, data: { source: 4, width: 800, height: 600 } },
  ]);
  assert.deepEqual(change.viewport, { width: 800, height: 600 });
});

test('the pointer is the last mouse position; clicks are collected in order', () => {
  const change = readOverlayChange([
    { type: 3, timestamp: 1, data: { source: 1, positions: [{ x: 1, y: 2, id: 5, timeOffset: -10 }, { x: 30, y: 40, id: 5, timeOffset: 0 }] } },
    { type: 3, timestamp: 2, data: { source: 2, type: 2, id: 9, x: 50, y: 60 } },
    { type: 3, timestamp: 3, data: { source: 2, type: 2, id: 9, x: 70, y: 80 } },
  ]);
  assert.deepEqual(change.pointer, { x: 70, y: 80 });
  assert.deepEqual(change.clicks, [{ x: 50, y: 60 }, { x: 70, y: 80 }]);
});

test('focus follows Focus and Blur interactions; a full snapshot clears it', () => {
  assert.equal(readOverlayChange([{ type: 3, timestamp: 1, data: { source: 2, type: 5, id: 12 } }]).focusId, 12);
  assert.equal(readOverlayChange([
    { type: 3, timestamp: 1, data: { source: 2, type: 5, id: 12 } },
    { type: 3, timestamp: 2, data: { source: 2, type: 6, id: 12 } },
  ]).focusId, null);
  assert.equal(readOverlayChange([{ type: 2, timestamp: 1, data: { node: {}, initialOffset: {} } }]).focusId, null);
  assert.equal('focusId' in readOverlayChange([{ type: 3, timestamp: 1, data: { source: 3, id: 1, x: 0, y: 9 } }]), false);
});

test('malformed events are skipped', () => {
  const change = readOverlayChange([
    { type: 3, timestamp: 1, data: null },
    { type: 3, timestamp: 1, data: { source: 1, positions: 'no' } },
    { type: 4, timestamp: 1, data: { width: -1, height: 3 } },
  ]);
  assert.deepEqual(change, { clicks: [] });
});

test('the visual viewport (pinch-zoom, keyboard) comes from the SDK’s custom event; malformed ones are ignored', () => {
  const payload = { scale: 2, x: 10, y: 20, width: 195, height: 332, touch: true };
  const change = readOverlayChange([{ type: 5, timestamp: 1, data: { tag: 'samepage:visual-viewport', payload } }]);
  assert.deepEqual(change.visualViewport, payload);
  assert.equal(readOverlayChange([{ type: 5, timestamp: 1, data: { tag: 'other', payload } }]).visualViewport, undefined);
  assert.equal(readOverlayChange([{ type: 5, timestamp: 1, data: { tag: 'samepage:visual-viewport', payload: { ...payload, scale: 'x' } } }]).visualViewport, undefined);
});
