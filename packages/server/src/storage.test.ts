/** The storage layer on both databases: the same migrations and stores on SQLite and on a real Postgres. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from './db/database.ts';
import { createStore } from './store.ts';
import { createCollabStore } from './collab-store.ts';
import { createAdminStore } from './admin-store.ts';
import { createTenantStore } from './tenant-store.ts';
import { bootstrap } from './bootstrap.ts';
import { loadConfig } from './config.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from './testing/postgres.ts';

let postgres: TestPostgres | null = null;
const pgSkip = postgresUnavailable();

async function openPostgresDb(t: TestContext): Promise<Db> {
  postgres ??= await startPostgres();
  const db = await openDatabase('', postgres.createDatabase());
  t.after(() => db.destroy());
  return db;
}

async function openSqliteDb(t: TestContext): Promise<Db> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-store-'));
  const db = await openDatabase(dir);
  t.after(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

const dialects = [
  { name: 'sqlite', open: openSqliteDb, skip: false as string | false },
  { name: 'postgres', open: openPostgresDb, skip: pgSkip ? `skipped: ${pgSkip}` : (false as string | false) },
];

test.after(() => postgres?.stop());

for (const dialect of dialects) {
  test(`${dialect.name}: tenants, users, login sessions and sites round-trip, scoped by tenant`, { skip: dialect.skip }, async (t) => {
    const store = createStore(await dialect.open(t));
    const a = await store.createTenant('A');
    const b = await store.createTenant('B');
    const user = await store.createUser({ tenantId: a.id, email: ' Ann@Example.test ', name: 'Ann', role: 'agent', passwordHash: 'h' });
    assert.equal((await store.findUserByEmail('ann@example.test'))?.id, user.id);
    assert.equal(await store.getUser(b.id, user.id), null);
    await store.createAuthSession(user, 'tok', 60_000);
    assert.equal((await store.findUserByAuthToken('tok'))?.id, user.id);
    await store.deleteAuthSession('tok');
    assert.equal(await store.findUserByAuthToken('tok'), null);
    const site = await store.createSite({ tenantId: a.id, name: 'Shop', allowedOrigins: ['https://shop.test'], policy: { allowGuests: true } });
    assert.deepEqual((await store.findSiteByKey(site.siteKey))?.allowedOrigins, ['https://shop.test']);
    assert.equal((await store.getSite(a.id, site.id))?.policy.allowGuests, true);
    assert.equal(await store.getSite(b.id, site.id), null);
    await store.setSetting('k', '1');
    await store.setSetting('k', '2');
    assert.equal(await store.getSetting('k'), '2');
  });

  test(`${dialect.name}: sessions, participants, chat, notes and audit read back with numbers, not strings`, { skip: dialect.skip }, async (t) => {
    const db = await dialect.open(t);
    const store = createStore(db);
    const collab = createCollabStore(db);
    const admin = createAdminStore(db);
    const tenant = await store.createTenant('T');
    const site = await store.createSite({ tenantId: tenant.id, name: 'Shop', allowedOrigins: [] });
    await store.recordSessionStart({ id: 'ses_1', tenantId: tenant.id, siteId: site.id, visitor: { id: 'v1', name: 'Val' } });
    await store.recordParticipantJoin({ id: 'par_1', tenantId: tenant.id, sessionId: 'ses_1', userId: null, name: 'Agent A', role: 'agent' });
    for (const seq of [1, 2, 3]) {
      await collab.appendChat(tenant.id, 'ses_1', { seq, id: `msg_${seq}`, clientId: `c${seq}`, from: { participantId: 'host', name: 'Val', role: 'host' }, text: `hello ${seq}`, at: 1_700_000_000_000 + seq });
    }
    await assert.rejects(collab.appendChat(tenant.id, 'ses_1', { seq: 2, id: 'dup', clientId: 'x', from: { participantId: 'host', name: 'Val', role: 'host' }, text: 'dup', at: 1 }));
    const chat = await collab.listChat(tenant.id, 'ses_1');
    assert.deepEqual(chat.map((m) => [m.seq, m.text]), [[1, 'hello 1'], [2, 'hello 2'], [3, 'hello 3']]);
    assert.equal(typeof chat[0]?.at, 'number');
    await collab.addNote(tenant.id, 'ses_1', { id: 'u', name: 'Ann' }, 'note');
    await store.recordSessionEnd(tenant.id, 'ses_1', 'customer', 'stopped');
    const [listed] = await collab.listSessions(tenant.id, 10);
    assert.equal(listed?.messageCount, 3);
    assert.deepEqual(listed?.agents, ['Agent A']);
    assert.equal(typeof listed?.endedAt, 'number');
    const detail = await collab.getSessionDetail(tenant.id, 'ses_1');
    assert.equal(detail?.participants.length, 1);
    await store.audit(tenant.id, { type: 'system', id: null }, 'session.start', 'ses_1');
    await store.audit(tenant.id, { type: 'user', id: 'u' }, 'control.granted', 'ses_1', { participantId: 'par_1' });
    const audit = await admin.queryAudit(tenant.id, { action: 'control', limit: 10 });
    assert.deepEqual(audit.map((r) => r.action), ['control.granted']);
    assert.equal(typeof audit[0]?.id, 'number');
    // `_` and `%` in the filter are literal: the exact action with an underscore is found, and
    // `control%` finds nothing.
    await store.audit(tenant.id, { type: 'user', id: 'u' }, 'session.end_requested', 'ses_1');
    await store.audit(tenant.id, { type: 'user', id: 'u' }, 'session.endXrequested', 'ses_1');
    assert.deepEqual((await admin.queryAudit(tenant.id, { action: 'session.end_requested', limit: 10 })).map((r) => r.action), ['session.end_requested']);
    assert.deepEqual(await admin.queryAudit(tenant.id, { action: 'control%', limit: 10 }), []);
    const exported = await admin.exportVisitor(tenant.id, 'v1');
    assert.equal(exported.chat.length, 3);
    const deleted = await admin.deleteVisitor(tenant.id, 'v1');
    assert.deepEqual(deleted, { sessions: 1, chat: 3, notes: 1, recordings: 0 });
  });

  test(`${dialect.name}: roles, users admin, usage upsert, plans, retention and purge`, { skip: dialect.skip }, async (t) => {
    const db = await dialect.open(t);
    const store = createStore(db);
    const collab = createCollabStore(db);
    const admin = createAdminStore(db);
    const tenants = createTenantStore(db);
    const tenant = await store.createTenant('T');
    await collab.createRole(tenant.id, 'trainee', 'Trainee', ['session.view']);
    assert.deepEqual((await collab.resolveRole(tenant.id, 'trainee')).permissions, ['session.view']);
    assert.equal(await admin.updateRole(tenant.id, 'trainee', { title: 'Junior' }), true);
    const user = await store.createUser({ tenantId: tenant.id, email: 'j@example.test', name: 'J', role: 'trainee', passwordHash: 'h' });
    assert.equal(await admin.countUsersWithRole(tenant.id, 'trainee'), 1);
    assert.equal(await admin.updateUser(tenant.id, user.id, { disabled: true }), true);
    assert.equal((await admin.listUsers(tenant.id))[0]?.disabled, true);
    assert.equal(await tenants.countActiveAgents(tenant.id), 0);
    await tenants.recordSessionStarted(tenant.id, 2);
    await tenants.recordSessionStarted(tenant.id, 5);
    await tenants.recordSessionStarted(tenant.id, 3);
    const usage = await tenants.usage(tenant.id);
    assert.deepEqual(usage.daily.map((d) => [d.peakConcurrent, d.sessions]), [[5, 3]]);
    assert.equal(await tenants.setPlan(tenant.id, { kind: 'seats', limit: 3 }), true);
    assert.deepEqual(await tenants.getPlan(tenant.id), { kind: 'seats', limit: 3 });
    await tenants.setRetention(tenant.id, { sessionsDays: 30, chatDays: null, auditDays: 7, recordingsDays: null });
    assert.equal((await tenants.getRetention(tenant.id)).auditDays, 7);
    await store.audit(tenant.id, { type: 'system', id: null }, 'old', null);
    const purged = await admin.purge(tenant.id, { audit: Date.now() + 1000, sessions: Date.now() + 1000 });
    assert.equal(purged.audit, 1);
  });

  test(`${dialect.name}: bootstrap run by several nodes at once creates one demo tenant`, { skip: dialect.skip }, async (t) => {
    const db = await dialect.open(t);
    const store = createStore(db);
    const config = loadConfig({ ADMIN_EMAIL: 'admin@example.test', ADMIN_PASSWORD: 'password-123', DATA_DIR: os.tmpdir() });
    const results = await Promise.all([bootstrap(config, store), bootstrap(config, store), bootstrap(config, store)]);
    assert.equal(new Set(results.map((r) => r.demoSiteKey)).size, 1);
    assert.equal(results.filter((r) => r.firstStart).length, 1);
    assert.equal((await createTenantStore(db).listTenants()).length, 1);
  });
}
