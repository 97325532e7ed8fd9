import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssetCache } from './asset-cache.ts';

const bytes = (n: number) => Buffer.alloc(n);

test('the LRU keeps its byte bound, evicts the least recently used first, and counts evictions', () => {
  const cache = new AssetCache(3 * (1000 + 256 + 1));
  cache.set('a', bytes(1000), 'image/png');
  cache.set('b', bytes(1000), 'image/png');
  cache.set('c', bytes(1000), 'image/png');
  assert.ok(cache.get('a'), 'a is used again: b is now the oldest');
  cache.set('d', bytes(1000), 'image/png');
  assert.equal(cache.get('b'), null);
  assert.ok(cache.get('a') && cache.get('c') && cache.get('d'));
  const stats = cache.stats();
  assert.equal(stats.evictions, 1);
  assert.ok(stats.bytes <= stats.maxBytes);
  assert.equal(stats.entries, 3);
});

test('an asset larger than the whole cache is not stored, and replacing a key does not leak bytes', () => {
  const cache = new AssetCache(2000);
  assert.equal(cache.set('huge', bytes(5000), 'image/png'), false);
  cache.set('x', bytes(500), 'image/png');
  cache.set('x', bytes(700), 'image/png');
  assert.equal(cache.stats().bytes, 700 + 256 + 1);
});

test('entries expire, and a prefix (one session) can be dropped', () => {
  let now = 0;
  const cache = new AssetCache(100_000, 1000, () => now);
  cache.set('s:1:a', bytes(10), 'image/png');
  cache.set('s:2:a', bytes(10), 'image/png');
  cache.deletePrefix('s:1:');
  assert.equal(cache.get('s:1:a'), null);
  assert.ok(cache.get('s:2:a'));
  now = 5000;
  assert.equal(cache.get('s:2:a'), null, 'older than maxAgeMs');
  assert.equal(cache.stats().bytes, 0);
});
