import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { OPENAPI_FILE, renderOpenApi } from './openapi.ts';

test('docs/openapi.json is the document generated from the route table (run scripts/openapi.ts after changing the API)', () => {
  assert.equal(fs.readFileSync(OPENAPI_FILE, 'utf8'), renderOpenApi());
});

test('the OpenAPI document covers every /api/v1 endpoint, with bodies from the validation schemas', () => {
  const doc = JSON.parse(renderOpenApi());
  const ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
  for (const op of ['GET /api/v1/sessions', 'GET /api/v1/sessions/{id}', 'POST /api/v1/sessions/{id}/codes', 'POST /api/v1/sessions/{id}/end', 'GET /api/v1/visitors', 'GET /api/v1/sessions/{id}/chat', 'GET /api/v1/recordings', 'POST /api/v1/users', 'POST /api/v1/roles', 'PATCH /api/v1/sites/{id}', 'GET /api/v1/audit', 'GET /api/v1/usage', 'POST /api/v1/webhooks']) {
    assert.ok(ops.includes(op), `${op} is documented`);
  }
  assert.ok(!ops.some((op) => op.includes('/tokens')), 'tokens are managed from the console only');
  const createUser = doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(createUser.required.sort(), ['email', 'name', 'password', 'role']);
  assert.equal(createUser.properties.password.minLength, 10);
  assert.equal(doc.paths['/api/v1/users'].post['x-permissions'][0], 'users.manage');
});
