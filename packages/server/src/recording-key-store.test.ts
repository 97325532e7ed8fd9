/** Encrypted recordings' keys on both databases: the same migration (0006_e2ee) on SQLite and a real Postgres. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from './store.ts';
import { createCollabStore } from './collab-store.ts';
import { createRecordingStore } from './recording-store.ts';
import { createRecordingKeyStore, parseRecordingPublicKey } from './recording-key-store.ts';
import { DIALECTS, dialectSkip, openTestDatabase, stopTestPostgres } from './testing/test-database.ts';

after(stopTestPostgres);

for (const name of DIALECTS) {
  test(`${name}: a tenant recording key, wrapped epoch keys, encrypted chat and the e2ee flags round-trip, scoped by tenant`, { skip: dialectSkip(name) }, async (t) => {
    const db = await openTestDatabase(t, name);
    const store = createStore(db);
    const keys = createRecordingKeyStore(db);
    const [a, b] = [await store.createTenant('A'), await store.createTenant('B')];
    const raw = Buffer.from(await crypto.subtle.exportKey('raw', (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])).publicKey));
    const publicKey = parseRecordingPublicKey(raw.toString('base64'));
    assert.equal(publicKey, raw.toString('base64url'), 'base64 is accepted and stored as base64url');
    assert.equal(parseRecordingPublicKey(Buffer.alloc(65, 4).toString('base64url')), null, 'not on the curve');
    await keys.setTenantKey(a.id, publicKey!);
    assert.equal((await keys.getTenantKey(a.id))?.publicKey, publicKey);
    assert.equal(await keys.getTenantKey(b.id), null, 'scoped by tenant');

    await keys.addEpochKey(a.id, 'ses_1', 2, 'wrapped-2');
    await keys.addEpochKey(a.id, 'ses_1', 1, 'wrapped-1');
    await keys.addEpochKey(a.id, 'ses_1', 1, 'second upload of epoch 1');
    assert.deepEqual((await keys.listEpochKeys(a.id, 'ses_1')).map((k) => [k.epoch, k.wrapped]), [[1, 'wrapped-1'], [2, 'wrapped-2']], 'in epoch order; the first upload wins');
    assert.deepEqual(await keys.listEpochKeys(b.id, 'ses_1'), []);

    const site = await store.createSite({ tenantId: a.id, name: 'S', allowedOrigins: ['self'], policy: { e2ee: true } });
    assert.equal((await store.getSite(a.id, site.id))?.policy.e2ee, true);
    await store.recordSessionStart({ id: 'ses_1', tenantId: a.id, siteId: site.id, e2ee: true });
    const collab = createCollabStore(db);
    await collab.appendChat(a.id, 'ses_1', { seq: 1, id: 'msg_1', clientId: 'e2ee:0:1:2', from: { participantId: 'host', name: 'Customer', role: 'host' }, text: 'AgEQAQ==', at: 5, encrypted: true });
    assert.deepEqual((await collab.listChat(a.id, 'ses_1'))[0]?.encrypted, true);
    assert.equal((await collab.getSessionDetail(a.id, 'ses_1'))?.session.e2ee, true);
    assert.equal((await collab.listSessions(a.id, 10))[0]?.e2ee, true);

    const recordings = createRecordingStore(db);
    await recordings.append({ tenantId: a.id, sessionId: 'ses_1', siteId: site.id, startedAt: 1, e2ee: true }, [{ seq: 1, at: 2, bytes: Buffer.from([2, 1, 1, 1]) }]);
    assert.equal((await recordings.get(a.id, 'ses_1'))?.e2ee, true);
    await recordings.deleteSessions(a.id, ['ses_1']);
    assert.deepEqual(await keys.listEpochKeys(a.id, 'ses_1'), [], 'deleting a recording deletes its keys');
    assert.equal(await keys.deleteTenantKey(a.id), true);
    assert.equal(await keys.getTenantKey(a.id), null);
  });
}
