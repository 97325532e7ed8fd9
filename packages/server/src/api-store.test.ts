/** API tokens, webhooks and the delivery queue on both databases (migration 0004 on SQLite and on a real Postgres). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from './store.ts';
import { createApiStore } from './api-store.ts';
import { DIALECTS, dialectSkip, openTestDatabase, stopTestPostgres } from './testing/test-database.ts';

test.after(stopTestPostgres);

for (const dialect of DIALECTS) {
  const skip = dialectSkip(dialect);
  test(`${dialect}: tokens resolve by secret until revoked; deliveries queue, lease and record attempts`, { skip }, async (t) => {
    const db = await openTestDatabase(t, dialect);
    const store = createStore(db);
    const api = createApiStore(db);
    const a = await store.createTenant('A');
    const b = await store.createTenant('B');
    const { token, record } = await api.createToken(a.id, 'helpdesk', ['session.view', 'session.invite']);
    const found = await api.findToken(token);
    assert.deepEqual([found?.id, found?.tenantId, found?.permissions], [record.id, a.id, ['session.view', 'session.invite']]);
    assert.equal(typeof found?.lastUsedAt, 'number');
    assert.equal(await api.findToken(token + 'x'), null);
    assert.equal(await api.revokeToken(b.id, record.id), false, 'another tenant cannot revoke it');
    assert.equal(await api.revokeToken(a.id, record.id), true);
    assert.equal(await api.findToken(token), null);

    const { record: hook } = await api.createWebhook(a.id, 'https://hooks.example.test/x', ['session.started']);
    assert.equal(await api.getWebhook(b.id, hook.id), null);
    assert.deepEqual((await api.subscribers(a.id, 'session.started')).map((h) => h.id), [hook.id]);
    assert.deepEqual(await api.subscribers(a.id, 'session.ended'), []);
    assert.equal(await api.nextAttemptAt(), null);
    const id = await api.enqueue({ webhookId: hook.id, tenantId: a.id, event: 'session.started', payload: '{}', at: 1000 });
    assert.equal(await api.nextAttemptAt(), 1000);
    const [due] = await api.dueDeliveries(2000, 10);
    assert.deepEqual([due?.id, due?.attempts, due?.nextAttemptAt], [id, 0, 1000]);
    assert.equal(await api.claim(id, 1000, 5000), true);
    assert.equal(await api.claim(id, 1000, 5000), false, 'only one worker wins');
    assert.deepEqual(await api.dueDeliveries(2000, 10), []);
    await api.recordAttempt(id, { attempts: 1, status: 500, error: null, delivered: false, nextAttemptAt: 3000 });
    const [listed] = await api.listDeliveries(a.id, hook.id);
    assert.deepEqual([listed?.attempts, listed?.lastStatus, listed?.nextAttemptAt, listed?.deliveredAt], [1, 500, 3000, null]);
    assert.deepEqual(await api.listDeliveries(b.id, hook.id), []);
    assert.equal(await api.deleteWebhook(a.id, hook.id), true);
    assert.deepEqual(await api.listDeliveries(a.id, hook.id), []);
  });
}
