import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxBetween, documentToLocal, localToDocument, localToViewport, pickScrollTarget, scrolledTo, wheelPixels, type ScrollBox } from './coords.ts';
import { readKey } from './key-map.ts';

test('local replica coordinates map to the customer’s viewport by dividing by the scale', () => {
  assert.deepEqual(localToViewport({ x: 50, y: 25 }, 0.5), { x: 100, y: 50 });
});

test('document coordinates add the customer’s scroll and map back to the same local point', () => {
  const doc = localToDocument({ x: 60, y: 30 }, 0.75, { x: 0, y: 800 });
  assert.deepEqual(doc, { x: 80, y: 840 });
  assert.deepEqual(documentToLocal(doc, 0.75, { x: 0, y: 800 }), { x: 60, y: 30 });
  // After the customer scrolls 100 px down, the same drawing sits 75 local px higher.
  assert.deepEqual(documentToLocal(doc, 0.75, { x: 0, y: 900 }), { x: 60, y: -45 });
});

test('a highlight dragged up and left is still a positive rectangle', () => {
  assert.deepEqual(boxBetween({ x: 100, y: 80 }, { x: 40, y: 20 }), { x: 40, y: 20, width: 60, height: 60 });
});

const box = (over: Partial<ScrollBox>): ScrollBox => ({
  scrollLeft: 0, scrollTop: 0, scrollWidth: 300, scrollHeight: 300, clientWidth: 300, clientHeight: 300,
  overflowX: 'visible', overflowY: 'visible', isDocument: false, ...over,
});

test('the wheel scrolls the innermost element that can scroll that way, else the document', () => {
  const list = box({ scrollHeight: 1000, overflowY: 'auto' });
  const doc = box({ scrollHeight: 3000, clientHeight: 720, isDocument: true });
  assert.equal(pickScrollTarget([box({}), list, doc], 0, 100), 1);
  // At the bottom of the list, the document takes over.
  assert.equal(pickScrollTarget([box({}), { ...list, scrollTop: 700 }, doc], 0, 100), 2);
  // Scrolling up at the top of everything: nothing to scroll.
  assert.equal(pickScrollTarget([list, doc], 0, -100), -1);
  // overflow: hidden does not scroll by wheel.
  assert.equal(pickScrollTarget([box({ scrollHeight: 1000, overflowY: 'hidden' })], 0, 100), -1);
});

test('the new scroll position is absolute and clamped to the scrollable range', () => {
  const doc = { scrollWidth: 1280, scrollHeight: 3000, clientWidth: 1280, clientHeight: 720 };
  assert.deepEqual(scrolledTo(doc, { x: 0, y: 800 }, 0, 120), { x: 0, y: 920 });
  assert.deepEqual(scrolledTo(doc, { x: 0, y: 2200 }, 0, 500), { x: 0, y: 2280 });
  assert.deepEqual(scrolledTo(doc, { x: 0, y: 50 }, -30, -100), { x: 0, y: 0 });
});

test('wheel deltas in lines and pages become pixels', () => {
  assert.deepEqual(wheelPixels({ deltaX: 0, deltaY: 3, deltaMode: 1 }, { x: 1280, y: 720 }), { x: 0, y: 48 });
  assert.deepEqual(wheelPixels({ deltaX: 0, deltaY: 1, deltaMode: 2 }, { x: 1280, y: 720 }), { x: 0, y: 720 });
});

const key = (k: string, mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {}) =>
  readKey({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, ...mods });

test('printable characters are typed, editing keys are keys, shortcuts stay with the agent', () => {
  assert.deepEqual(key('a'), { kind: 'text', text: 'a' });
  assert.deepEqual(key(' '), { kind: 'text', text: ' ' });
  assert.deepEqual(key('é'), { kind: 'text', text: 'é' });
  assert.deepEqual(key('Enter'), { kind: 'key', key: 'Enter', shift: false });
  assert.deepEqual(key('Tab', { shiftKey: true }), { kind: 'key', key: 'Tab', shift: true });
  assert.deepEqual(key('PageDown'), { kind: 'key', key: 'PageDown', shift: false });
  assert.equal(key('c', { ctrlKey: true }), null);
  assert.equal(key('Shift'), null);
  assert.equal(key('F5'), null);
});
