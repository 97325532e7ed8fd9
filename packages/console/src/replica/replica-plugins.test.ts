/**
 * The pure parts of the replica plugins (canvas frames, states, media, cross-origin frames).
 * Their effect on a real replica is proved by e2e/fidelity.test.ts (pixels and state checks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCanvasFrame } from './replica-canvas.ts';
import { addStateClasses, changesStyleText } from './replica-states.ts';
import { positionOf } from './replica-media.ts';
import { frameHost } from './replica-frames.ts';

const sampled = (type: string, base64 = 'UklGRg==') => ({
  source: 9,
  id: 12,
  type: 0,
  commands: [
    { property: 'clearRect', args: [0, 0, 10, 10] },
    { property: 'drawImage', args: [{ rr_type: 'ImageBitmap', args: [{ rr_type: 'Blob', data: [{ rr_type: 'ArrayBuffer', base64 }], type }] }, 0, 0] },
  ],
});

test("a sampled canvas frame is read from rrweb's CanvasMutation", () => {
  assert.deepEqual(readCanvasFrame(sampled('image/webp')), { id: 12, type: 'image/webp', base64: 'UklGRg==' });
});

test('canvas frames: only raster images, only the sampled shape', () => {
  assert.equal(readCanvasFrame(sampled('image/svg+xml')), null, 'an SVG could fetch');
  assert.equal(readCanvasFrame({ ...sampled('image/png'), type: 1 }), null, 'WebGL commands are not frames');
  assert.equal(readCanvasFrame({ source: 9, id: 1, type: 0, commands: [{ property: 'fillRect', args: [0, 0, 1, 1] }] }), null);
  assert.equal(readCanvasFrame({ source: 0 }), null);
  assert.equal(readCanvasFrame(null), null);
});

test(':hover, :focus, :focus-visible and :focus-within get a class alternative', () => {
  assert.equal(addStateClasses('.card:hover'), '.card:hover, .card.\\:hover');
  assert.equal(addStateClasses('input:focus, a:focus-visible'), 'input:focus, a:focus-visible, input.\\:focus, a.\\:focus-visible');
  assert.equal(addStateClasses('form:focus-within > label'), 'form:focus-within > label, form.\\:focus-within > label');
  assert.equal(addStateClasses('.card'), null);
  assert.equal(addStateClasses('.focused, .hovered'), null, 'class names that contain the words are left alone');
  assert.equal(addStateClasses('.card:hover,\n.card.\\:hover'), null, 'rrweb already rewrote :hover in the rebuilt CSS');
});

test('only a change to the CSS text of a <style> makes the state plugin look for new rules', () => {
  const style = { nodeName: 'STYLE', parentNode: null };
  const nodes = new Map<number, { nodeName: string; parentNode: { nodeName: string } | null }>([
    [1, style],
    [2, { nodeName: '#text', parentNode: style }],
    [3, { nodeName: 'LI', parentNode: { nodeName: 'UL' } }],
    [4, { nodeName: '#text', parentNode: { nodeName: 'P' } }],
    [5, { nodeName: 'style', parentNode: { nodeName: 'svg' } }],
  ]);
  const nodeOf = (id: number) => nodes.get(id) ?? null;
  assert.equal(changesStyleText({ texts: [{ id: 4, value: 'x' }], attributes: [{ id: 3, attributes: { class: 'a' } }], adds: [{ parentId: 3, node: {} }] }, nodeOf), false, 'the usual batch');
  assert.equal(changesStyleText({ texts: [{ id: 4, value: 'x' }, { id: 2, value: 'a:hover{}' }] }, nodeOf), true, 'the text of a <style>');
  assert.equal(changesStyleText({ adds: [{ parentId: 1, node: { type: 3 } }] }, nodeOf), true, 'a text node added to a <style>');
  assert.equal(changesStyleText({ adds: [{ parentId: 5, node: { type: 3 } }] }, nodeOf), true, 'an SVG <style>');
  assert.equal(changesStyleText({ texts: [{ id: 99, value: 'x' }], removes: [{ id: 2 }] }, nodeOf), false, 'a node the replica no longer has');
  assert.equal(changesStyleText({}, nodeOf), false);
});

test("a playing video's position moves on with time; a paused one stays", () => {
  assert.equal(positionOf({ playing: true, time: 1.5, at: 1000, rate: 1 }, 3000), 3.5);
  assert.equal(positionOf({ playing: true, time: 1, at: 0, rate: 2 }, 500), 2);
  assert.equal(positionOf({ playing: false, time: 1.5, at: 1000, rate: 1 }, 9000), 1.5);
});

test('the placeholder names the host (and port) of a cross-origin frame', () => {
  assert.equal(frameHost('https://pay.example.com/form?x=1'), 'pay.example.com');
  assert.equal(frameHost('http://127.0.0.1:4100/frames/x.html'), '127.0.0.1:4100');
  assert.equal(frameHost('about:blank'), null);
  assert.equal(frameHost('javascript:alert(1)'), null);
  assert.equal(frameHost(''), null);
  assert.equal(frameHost(undefined), null);
});
