import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDomFrame, FLAG_DEFLATE, FLAG_KEYFRAME } from '@samepage/protocol';
import { FrameCache } from './frame-cache.ts';

const key = (epoch: number, seq: number, size = 10) => encodeDomFrame({ flags: FLAG_KEYFRAME | FLAG_DEFLATE, epoch, seq }, new Uint8Array(size));
const delta = (epoch: number, seq: number, size = 10) => encodeDomFrame({ flags: FLAG_DEFLATE, epoch, seq }, new Uint8Array(size));

test('the cache holds the latest keyframe and the deltas of its epoch', () => {
  const cache = new FrameCache(1_000_000);
  assert.equal(cache.accept(key(1, 0)).ok, true);
  assert.equal(cache.accept(delta(1, 1)).ok, true);
  assert.equal(cache.snapshot().length, 2);
  assert.equal(cache.accept(key(2, 2)).ok, true);
  assert.equal(cache.accept(delta(2, 3)).ok, true);
  assert.equal(cache.snapshot().length, 2);
  assert.equal(cache.currentEpoch, 2);
  assert.equal(cache.nextSeq, 4);
});

test('frames out of order, of an old epoch or without a keyframe are refused', () => {
  const cache = new FrameCache(1_000_000);
  assert.equal(cache.accept(delta(1, 0)).ok, false);
  assert.equal(cache.accept(key(1, 5)).ok, true);
  assert.equal(cache.accept(delta(1, 5)).ok, false);
  assert.equal(cache.accept(delta(0, 6)).ok, false);
  assert.equal(cache.accept(key(1, 7)).ok, false);
  assert.equal(cache.accept(new Uint8Array([1, 2, 3])).ok, false);
});

test('the cache reports when it is over budget so a new keyframe can be asked for', () => {
  const cache = new FrameCache(100);
  const first = cache.accept(key(1, 0, 50));
  assert.ok(first.ok && !first.overBudget);
  const second = cache.accept(delta(1, 1, 60));
  assert.ok(second.ok && second.overBudget);
});
