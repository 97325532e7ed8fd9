import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_DRAWINGS, LASER_MS, applyDrawOp, drawColor, pruneLasers } from './drawing-log.ts';

test('a stroke sent again with the same id grows in place (progressive chunks)', () => {
  let log = applyDrawOp(EMPTY_DRAWINGS, 'a1', '#2563eb', { kind: 'stroke', id: 's1', color: '#2563eb', points: [[1, 1]] }, 0);
  log = applyDrawOp(log, 'a1', '#2563eb', { kind: 'stroke', id: 's1', color: '#2563eb', points: [[1, 1], [5, 5]] }, 0);
  assert.equal(log.shapes.length, 1);
  assert.deepEqual(log.shapes[0]?.kind === 'stroke' && log.shapes[0].points, [[1, 1], [5, 5]]);
});

test('the same shape id from two agents is two shapes', () => {
  let log = applyDrawOp(EMPTY_DRAWINGS, 'a1', '#2563eb', { kind: 'rect', id: 'r', color: '#2563eb', x: 0, y: 0, width: 5, height: 5 }, 0);
  log = applyDrawOp(log, 'a2', '#db2777', { kind: 'rect', id: 'r', color: '#db2777', x: 9, y: 9, width: 5, height: 5 }, 0);
  assert.equal(log.shapes.length, 2);
});

test('clear removes every drawing; laser trails fade out after LASER_MS', () => {
  let log = applyDrawOp(EMPTY_DRAWINGS, 'a1', '#2563eb', { kind: 'laser', points: [[0, 0]] }, 1000);
  log = applyDrawOp(log, 'a1', '#2563eb', { kind: 'rect', id: 'r', color: '#2563eb', x: 0, y: 0, width: 5, height: 5 }, 1000);
  assert.equal(pruneLasers(log.lasers, 1000 + LASER_MS - 1).length, 1);
  assert.equal(pruneLasers(log.lasers, 1000 + LASER_MS).length, 0);
  assert.deepEqual(applyDrawOp(log, 'a2', '#000000', { kind: 'clear' }, 1000), EMPTY_DRAWINGS);
});

test('participant colours that are not #rrggbb fall back to the accent', () => {
  assert.equal(drawColor('#DB2777'), '#DB2777');
  assert.equal(drawColor('hsl(10 50% 50%)'), '#2563eb');
});
