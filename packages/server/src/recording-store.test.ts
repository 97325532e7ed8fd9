/** The recording tables on both databases: frames round-trip byte for byte, in order, scoped by tenant, and purge. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from './store.ts';
import { createRecordingStore } from './recording-store.ts';
import { DIALECTS, dialectSkip, openTestDatabase, stopTestPostgres } from './testing/test-database.ts';

test.after(stopTestPostgres);

for (const dialect of DIALECTS) {
  test(`${dialect}: recording frames round-trip in order, per tenant, and are purged`, { skip: dialectSkip(dialect) }, async (t) => {
    const db = await openTestDatabase(t, dialect);
    const store = createStore(db);
    const a = await store.createTenant('A');
    const b = await store.createTenant('B');
    const site = await store.createSite({ tenantId: a.id, name: 'Shop', allowedOrigins: ['https://shop.test'] });
    const recordings = createRecordingStore(db);
    const owner = { tenantId: a.id, sessionId: 'ses_1', siteId: site.id, startedAt: 1000 };
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) % 256));
    await recordings.append(owner, [
      { seq: 0, at: 1001, bytes: bytes(300) },
      { seq: 1, at: 1002, bytes: bytes(5) },
    ]);
    await recordings.append(owner, [{ seq: 2, at: 1003, bytes: bytes(0x10000) }]);
    await recordings.finish(a.id, 'ses_1', 5000);
    const frames = await recordings.frames(a.id, 'ses_1');
    assert.deepEqual(frames.map((f) => [f.seq, f.at, f.bytes.equals(bytes(f.bytes.byteLength))]), [[0, 1001, true], [1, 1002, true], [2, 1003, true]]);
    assert.deepEqual(await recordings.frames(b.id, 'ses_1'), []);
    const [summary] = await recordings.list(a.id);
    assert.deepEqual(summary, { sessionId: 'ses_1', siteId: site.id, siteName: 'Shop', startedAt: 1000, endedAt: 5000, durationMs: 4000, sizeBytes: 305 + 0x10000, frames: 3 });
    assert.deepEqual(await recordings.list(b.id), []);
    assert.equal(await recordings.get(b.id, 'ses_1'), null);
    assert.deepEqual((await recordings.get(a.id, 'ses_1'))?.allowedOrigins, ['https://shop.test']);
    assert.equal(await recordings.purgeBefore(a.id, 1000), 0);
    assert.equal(await recordings.purgeBefore(b.id, 2000), 0);
    assert.equal(await recordings.purgeBefore(a.id, 2000), 1);
    assert.deepEqual(await recordings.frames(a.id, 'ses_1'), []);
  });
}
