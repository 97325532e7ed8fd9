/** The Redis bus's own health, as /metrics shows it: connected, and publishes that failed. Real redis-server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { RedisBus } from './redis-bus.ts';
import { redisUnavailable, startRedis } from '../testing/cluster.ts';

const skip = redisUnavailable();

test('the Redis bus reports itself disconnected, and counts the publishes that fail, when Redis goes away', { skip: skip ? `skipped: ${skip}` : false, timeout: 30_000 }, async (t) => {
  const redis = await startRedis();
  t.after(() => redis.proc.kill('SIGKILL'));
  const bus = new RedisBus(redis.url, pino({ level: 'silent' }));
  t.after(() => bus.close());
  await bus.ready();
  bus.publish('sp:test', 'hello');
  await bus.getValue('sp:nothing');
  assert.deepEqual(bus.status(), { connected: true, publishErrors: 0 });

  redis.proc.kill('SIGKILL');
  await new Promise((resolve) => redis.proc.child.once('exit', resolve));
  bus.publish('sp:test', 'into the void');
  const deadline = Date.now() + 20_000;
  while (bus.status().publishErrors === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(bus.status(), { connected: false, publishErrors: 1 });
  assert.equal(bus.backlogBytes(), 0, 'a failed publish leaves the backlog');
});
