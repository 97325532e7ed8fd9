import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminPagesFor, auditQuery, EMPTY_AUDIT_FILTER, embedSnippet, formToRetention, fraction, linesToList, retentionToForm } from './admin-model.ts';

test('admin pages follow the permissions; an agent sees none', () => {
  assert.deepEqual(adminPagesFor(['session.view', 'session.point', 'visitors.list']), []);
  assert.deepEqual(adminPagesFor(['audit.view']), ['admin_audit']);
  assert.deepEqual(adminPagesFor(['roles.manage']), ['admin_users']);
  assert.deepEqual(adminPagesFor(['users.manage', 'sites.manage', 'billing.view', 'audit.view']), ['admin_users', 'admin_sites', 'admin_usage', 'admin_audit', 'admin_settings', 'admin_tokens']);
});

test('textarea lines become trimmed lists without blanks', () => {
  assert.deepEqual(linesToList(' .a \n\n#b\r\n  '), ['.a', '#b']);
});

test('the embed snippet names the server and the key', () => {
  assert.equal(embedSnippet('https://cb.example.com/', 'pk_1'), '<script src="https://cb.example.com/sdk.js" data-site-key="pk_1" data-widget async></script>');
  assert.equal(
    embedSnippet('https://cb.example.com', 'pk_1', 'sha384-abc'),
    '<script src="https://cb.example.com/sdk.js" integrity="sha384-abc" crossorigin="anonymous" data-site-key="pk_1" data-widget async></script>',
    'end-to-end encrypted sites pin the SDK',
  );
  assert.match(embedSnippet('https://cb.example.com', 'pk_1', 'sha384-abc', true), / data-widget data-e2ee async>/, 'and require encryption');
});

test('the audit query carries only the filled filters, dates as whole local days', () => {
  assert.equal(auditQuery(EMPTY_AUDIT_FILTER), '');
  const q = new URLSearchParams(auditQuery({ action: ' site. ', actor: 'u_1', session: '', from: '2025-03-01', to: '2025-03-01' }, { format: 'csv' }));
  assert.equal(q.get('action'), 'site.');
  assert.equal(q.get('actor'), 'u_1');
  assert.equal(q.has('session'), false);
  assert.equal(q.get('format'), 'csv');
  assert.equal(Number(q.get('to')) - Number(q.get('from')), 24 * 3600 * 1000 - 1);
});

test('retention: empty keeps forever, numbers are whole days 1-3650', () => {
  const form = retentionToForm({ sessionsDays: 30, chatDays: null, auditDays: 365, recordingsDays: null });
  assert.deepEqual(form, { sessionsDays: '30', chatDays: '', auditDays: '365', recordingsDays: '' });
  assert.deepEqual(formToRetention(form), { ok: true, value: { sessionsDays: 30, chatDays: null, auditDays: 365, recordingsDays: null } });
  assert.deepEqual(formToRetention({ ...form, chatDays: '0' }), { ok: false, field: 'chatDays' });
  assert.deepEqual(formToRetention({ ...form, auditDays: '2.5' }), { ok: false, field: 'auditDays' });
});

test('meters clamp', () => {
  assert.equal(fraction(3, 4), 0.75);
  assert.equal(fraction(9, 4), 1);
  assert.equal(fraction(2, undefined), 0);
});
