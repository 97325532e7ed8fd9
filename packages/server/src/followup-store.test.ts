/** The follow-up and share tables on both databases: threads, entries, snapshot bytes, visitor access by secret, shares; scoped by tenant. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { createStore } from './store.ts';
import { createFollowupStore } from './followup-store.ts';
import { createShareStore } from './share-store.ts';
import { DIALECTS, dialectSkip, openTestDatabase, stopTestPostgres } from './testing/test-database.ts';

test.after(stopTestPostgres);

for (const dialect of DIALECTS) {
  test(`${dialect}: follow-up threads, snapshots and shares round-trip, per tenant`, { skip: dialectSkip(dialect) }, async (t) => {
    const db = await openTestDatabase(t, dialect);
    const store = createStore(db);
    const followups = createFollowupStore(db);
    const shares = createShareStore(db);
    const a = await store.createTenant('A');
    const b = await store.createTenant('B');
    const site = await store.createSite({ tenantId: a.id, name: 'Shop', allowedOrigins: ['https://shop.test'] });
    const snapshot = gzipSync(Buffer.from('[{"type":2}]'));

    const left = await followups.create({ tenantId: a.id, siteId: site.id, visitor: { id: 'v1', name: 'Val' }, page: { url: 'https://shop.test/', title: 'Home' }, text: 'Help', snapshot });
    const anon = await followups.create({ tenantId: a.id, siteId: site.id, visitor: {}, page: { url: 'https://shop.test/x', title: 'X' }, text: 'Anyone?' });
    assert.deepEqual((await followups.snapshot(a.id, left.id))?.equals(snapshot), true, 'bytes come back exactly');
    assert.equal(await followups.snapshot(b.id, left.id), null);
    assert.equal(await followups.snapshot(a.id, anon.id), null);

    assert.equal(await followups.countUnread(a.id), 2);
    assert.equal(await followups.countUnread(b.id), 0);
    assert.deepEqual(await followups.list(b.id, { status: 'all', limit: 10 }), []);
    assert.equal(await followups.get(b.id, left.id), null);
    assert.equal(await followups.addEntry(b.id, left.id, 'reply', { id: 'u_b', name: 'B agent' }, 'no'), null, 'another tenant cannot reply');

    const reply = await followups.addEntry(a.id, left.id, 'reply', { id: 'u1', name: 'Ann' }, 'On it');
    await followups.addEntry(a.id, left.id, 'note', { id: 'u1', name: 'Ann' }, 'internal');
    assert.ok(reply);
    const detail = await followups.get(a.id, left.id);
    assert.deepEqual(detail?.entries.map((e) => e.kind), ['visitor', 'reply', 'note']);
    assert.equal(detail?.message.siteName, 'Shop');
    assert.equal(detail?.message.snapshotBytes, snapshot.byteLength);
    assert.equal(typeof detail?.message.repliedAt, 'number');
    assert.deepEqual((await followups.list(a.id, { status: 'open', limit: 10 })).map((m) => m.id), [anon.id]);
    assert.deepEqual((await followups.list(a.id, { status: 'unread', limit: 10 })).map((m) => m.id), [anon.id], 'replying reads it');

    const held = [
      { id: left.id, token: left.token },
      { id: anon.id, token: anon.token },
    ];
    const seen = await followups.forVisitor(site.id, held, 'v1');
    assert.deepEqual(
      seen.map((th) => [th.id, th.replies.map((r) => r.text)]),
      [
        [left.id, ['On it']],
        [anon.id, []],
      ],
    );
    assert.deepEqual((await followups.forVisitor(site.id, held, 'v2')).map((th) => th.id), [anon.id], 'an identified thread needs that identity');
    assert.deepEqual(await followups.forVisitor(site.id, [{ id: left.id, token: anon.token }], 'v1'), [], 'a secret opens its own thread only');
    assert.equal(await followups.markSeen(site.id, left.id, anon.token), false);
    assert.equal(await followups.markSeen(site.id, left.id, left.token), true);
    assert.equal((await followups.forVisitor(site.id, held, 'v1'))[0]?.seen, true);
    assert.deepEqual(await followups.setLive(site.id, left.id, left.token, '123456'), { tenantId: a.id });
    assert.deepEqual((await followups.get(a.id, left.id))?.message.live?.code, '123456');

    const share = await shares.create(a.id, { type: 'message', id: left.id }, { id: 'u1', name: 'Ann' }, 'u2', 'for you');
    assert.deepEqual((await shares.listFor(a.id, 'u2', 10)).map((s) => s.id), [share.id]);
    assert.deepEqual(await shares.listFor(a.id, 'u3', 10), []);
    assert.deepEqual(await shares.listFor(b.id, 'u2', 10), []);
    assert.equal(await shares.get(b.id, share.id), null);
    await shares.markPickedUp(a.id, share.id, 'u1');
    assert.equal((await shares.get(a.id, share.id))?.pickedUpAt, null, 'the sender opening it is no pickup');
    await shares.markPickedUp(a.id, share.id, 'u2');
    assert.equal((await shares.get(a.id, share.id))?.pickedUpBy, 'u2');
  });
}
