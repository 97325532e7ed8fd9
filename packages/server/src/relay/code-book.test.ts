import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeBook } from './code-book.ts';

test('a code is 6 digits, single-use, and tells used from expired from unknown', () => {
  let now = 1000;
  const book = new CodeBook(600_000, () => now);
  const { code, expiresAt } = book.issue('ses_1', 'ten_a');
  assert.match(code, /^\d{6}$/);
  assert.equal(expiresAt, 601_000);
  assert.deepEqual(book.redeem(code, 'ten_a'), { ok: true, sessionId: 'ses_1', tenantId: 'ten_a' });
  assert.deepEqual(book.redeem(code, 'ten_a'), { ok: false, code: 'code_used' });
  const second = book.issue('ses_2', 'ten_a');
  now += 600_001;
  assert.deepEqual(book.redeem(second.code, 'ten_a'), { ok: false, code: 'code_expired' });
  assert.deepEqual(book.redeem(second.code === '000000' ? '000001' : '000000', 'ten_a').ok, false);
});

test("another tenant's code is unknown, not merely forbidden", () => {
  const book = new CodeBook(600_000);
  const { code } = book.issue('ses_1', 'ten_a');
  assert.deepEqual(book.redeem(code, 'ten_b'), { ok: false, code: 'code_unknown' });
  assert.equal(book.redeem(code, 'ten_a').ok, true);
});

test('ending a session voids its code', () => {
  const book = new CodeBook(600_000);
  const { code } = book.issue('ses_1', 'ten_a');
  book.revokeSession('ses_1');
  assert.deepEqual(book.redeem(code, 'ten_a'), { ok: false, code: 'code_used' });
});
