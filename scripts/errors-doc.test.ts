import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { renderErrorsDoc } from './errors-doc.ts';

test('docs/ERRORS.md lists exactly the error catalogue', () => {
  const doc = fs.readFileSync(new URL('../docs/ERRORS.md', import.meta.url), 'utf8');
  assert.equal(doc, renderErrorsDoc(), 'regenerate with: node --import tsx scripts/errors-doc.ts > docs/ERRORS.md');
});
