import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERRORS, ERROR_CODES } from './errors.ts';
import { FATAL_CLOSE_CODES, isFatalClose } from './fatal-close.ts';

test('the fatal close codes are exactly those of the fatal errors in the catalogue', () => {
  const fromCatalogue = new Set(ERROR_CODES.filter((code) => ERRORS[code].fatal).map((code) => ERRORS[code].close));
  assert.deepEqual([...FATAL_CLOSE_CODES].sort(), [...fromCatalogue].sort());
  assert.equal(isFatalClose(ERRORS.unsupported_version.close), true);
  assert.equal(isFatalClose(ERRORS.server_shutting_down.close), false);
  assert.equal(isFatalClose(1006), false);
});
