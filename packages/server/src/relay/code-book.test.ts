import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBook } from './code-book.ts';
import { MemoryBus } from '../cluster/bus.ts';

test('a code is 6 digits, single-use, and tells used from expired from unknown', async () => {
  let now = 1000;
  const book = new CodeBook(new MemoryBus(() => now), 600_000, () => now);
  const { code, expiresAt } = await book.issue('ses_1', 'ten_a');
  assert.match(code, /^\d{6}$/);
  assert.equal(expiresAt, 601_000);
  assert.deepEqual(await book.redeem(code, 'ten_a'), { ok: true, sessionId: 'ses_1', tenantId: 'ten_a' });
  assert.deepEqual(await book.redeem(code, 'ten_a'), { ok: false, code: 'code_used' });
  const second = await book.issue('ses_2', 'ten_a');
  now += 600_001;
  assert.deepEqual(await book.redeem(second.code, 'ten_a'), { ok: false, code: 'code_expired' });
  assert.deepEqual((await book.redeem(second.code === '000000' ? '000001' : '000000', 'ten_a')).ok, false);
});

test("another tenant's code is unknown, not merely forbidden", async () => {
  const book = new CodeBook(new MemoryBus(), 600_000);
  const { code } = await book.issue('ses_1', 'ten_a');
  assert.deepEqual(await book.redeem(code, 'ten_b'), { ok: false, code: 'code_unknown' });
  assert.equal((await book.redeem(code, 'ten_a')).ok, true);
});

test('ending a session voids its code', async () => {
  const book = new CodeBook(new MemoryBus(), 600_000);
  const { code } = await book.issue('ses_1', 'ten_a');
  await book.revokeSession('ses_1');
  assert.deepEqual(await book.redeem(code, 'ten_a'), { ok: false, code: 'code_used' });
});

test('two nodes redeeming one code at once: exactly one wins', async () => {
  const bus = new MemoryBus();
  const nodeA = new CodeBook(bus, 600_000);
  const nodeC = new CodeBook(bus, 600_000);
  const { code } = await nodeA.issue('ses_1', 'ten_a');
  const results = await Promise.all([nodeC.redeem(code, 'ten_a'), nodeA.redeem(code, 'ten_a'), nodeC.redeem(code, 'ten_a')]);
  assert.equal(results.filter((r) => r.ok).length, 1);
});
