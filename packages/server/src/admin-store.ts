import { sql } from 'kysely';
import type { Permission } from '@samepage/protocol';
import type { Db } from './db/database.ts';
import { createRecordingStore } from './recording-store.ts';
import { framesToEvents } from './recording-events.ts';

export interface AuditQuery {
  action?: string;
  actorId?: string;
  sessionId?: string;
  from?: number;
  to?: number;
  limit: number;
}

/** Admin reads and writes: users, roles, sites, audit, retention and data rights. Tenant-scoped. */
export function createAdminStore(db: Db) {
  const recordings = createRecordingStore(db);
  return {
    async listUsers(tenantId: string) {
      const rows = await db.selectFrom('users').select(['id', 'email', 'name', 'role', 'disabled', 'created_at']).where('tenant_id', '=', tenantId).orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, role: r.role, disabled: r.disabled !== 0, createdAt: Number(r.created_at) }));
    },
    async updateUser(tenantId: string, id: string, patch: { name?: string; role?: string; disabled?: boolean; passwordHash?: string }): Promise<boolean> {
      const result = await db
        .updateTable('users')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.role !== undefined ? { role: patch.role } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    /** Logs a user out everywhere. */
    async deleteAuthSessionsOf(tenantId: string, userId: string): Promise<void> {
      await db.deleteFrom('auth_sessions').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
    },

    async listCustomRoles(tenantId: string) {
      const rows = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
      return rows.map((r) => ({ key: r.key, title: r.title, permissions: JSON.parse(r.permissions) as Permission[] }));
    },
    async updateRole(tenantId: string, key: string, patch: { title?: string; permissions?: Permission[] }): Promise<boolean> {
      const result = await db
        .updateTable('roles')
        .set({ ...(patch.title ? { title: patch.title } : {}), ...(patch.permissions ? { permissions: JSON.stringify(patch.permissions) } : {}) })
        .where('tenant_id', '=', tenantId)
        .where('key', '=', key)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async countUsersWithRole(tenantId: string, key: string): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('role', '=', key).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async deleteRole(tenantId: string, key: string): Promise<boolean> {
      const result = await db.deleteFrom('roles').where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async listSites(tenantId: string) {
      return db.selectFrom('sites').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
    },

    async queryAudit(tenantId: string, q: AuditQuery) {
      let query = db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
      // A prefix match; the prefix's own `%`, `_` and `\` are matched literally (session.end_requested).
      if (q.action) query = query.where(sql<boolean>`action like ${`${q.action.replace(/[\\%_]/g, '\\$&')}%`} escape '\\'`);
      if (q.actorId) query = query.where('actor_id', '=', q.actorId);
      if (q.sessionId) query = query.where('session_id', '=', q.sessionId);
      if (q.from !== undefined) query = query.where('at', '>=', q.from);
      if (q.to !== undefined) query = query.where('at', '<=', q.to);
      const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        tenantId: r.tenant_id,
        actorType: r.actor_type,
        actorId: r.actor_id,
        action: r.action,
        sessionId: r.session_id,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
      }));
    },

    /** Deletes what retention says is too old. Returns how many rows went, per kind. */
    async purge(tenantId: string, cutoffs: { sessions?: number; chat?: number; audit?: number; recordings?: number }) {
      const counts = { sessions: 0, chat: 0, audit: 0, notes: 0, participants: 0, recordings: 0 };
      if (cutoffs.recordings !== undefined) counts.recordings = await recordings.purgeBefore(tenantId, cutoffs.recordings);
      if (cutoffs.chat !== undefined) {
        const r = await db.deleteFrom('chat_messages').where('tenant_id', '=', tenantId).where('at', '<', cutoffs.chat).executeTakeFirst();
        counts.chat = Number(r.numDeletedRows);
      }
      if (cutoffs.sessions !== undefined) {
        const old = db.selectFrom('sessions').select('id').where('tenant_id', '=', tenantId).where('started_at', '<', cutoffs.sessions).where('ended_at', 'is not', null);
        counts.chat += Number((await db.deleteFrom('chat_messages').where('tenant_id', '=', tenantId).where('session_id', 'in', old).executeTakeFirst()).numDeletedRows);
        counts.notes = Number((await db.deleteFrom('session_notes').where('tenant_id', '=', tenantId).where('session_id', 'in', old).executeTakeFirst()).numDeletedRows);
        counts.participants = Number((await db.deleteFrom('session_participants').where('tenant_id', '=', tenantId).where('session_id', 'in', old).executeTakeFirst()).numDeletedRows);
        counts.recordings += await recordings.deleteSessions(tenantId, (await old.execute()).map((r) => r.id));
        counts.sessions = Number((await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('started_at', '<', cutoffs.sessions).where('ended_at', 'is not', null).executeTakeFirst()).numDeletedRows);
      }
      if (cutoffs.audit !== undefined) {
        counts.audit = Number((await db.deleteFrom('audit_log').where('tenant_id', '=', tenantId).where('at', '<', cutoffs.audit).executeTakeFirst()).numDeletedRows);
      }
      return counts;
    },

    /** Every session of a visitor id (from `Samepage.identify`), with chat and notes. */
    async exportVisitor(tenantId: string, visitorId: string) {
      const sessions = await db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).where('visitor', 'is not', null).execute();
      const mine = sessions.filter((s) => (JSON.parse(s.visitor ?? '{}') as { id?: string }).id === visitorId);
      const ids = mine.map((s) => s.id);
      const chat = ids.length ? await db.selectFrom('chat_messages').selectAll().where('tenant_id', '=', tenantId).where('session_id', 'in', ids).orderBy('at').execute() : [];
      const notes = ids.length ? await db.selectFrom('session_notes').selectAll().where('tenant_id', '=', tenantId).where('session_id', 'in', ids).orderBy('at').execute() : [];
      return {
        visitorId,
        sessions: mine.map((s) => ({ id: s.id, startedAt: Number(s.started_at), endedAt: s.ended_at === null ? null : Number(s.ended_at), visitor: JSON.parse(s.visitor ?? '{}') as unknown })),
        chat: chat.map((c) => ({ sessionId: c.session_id, seq: c.seq, from: c.sender_name, role: c.sender_role, text: c.text, at: Number(c.at) })),
        notes: notes.map((n) => ({ sessionId: n.session_id, by: n.user_name, text: n.text, at: Number(n.at) })),
        // The recorded (already redacted) DOM stream of each recorded session, as rrweb events.
        recordings: await Promise.all(
          (await recordings.recordedAmong(tenantId, ids)).map(async (sessionId) => ({ sessionId, events: framesToEvents(await recordings.frames(tenantId, sessionId)).events })),
        ),
      };
    },
    async deleteVisitor(tenantId: string, visitorId: string) {
      const data = await this.exportVisitor(tenantId, visitorId);
      const ids = data.sessions.map((s) => s.id);
      if (ids.length) {
        await db.deleteFrom('chat_messages').where('tenant_id', '=', tenantId).where('session_id', 'in', ids).execute();
        await db.deleteFrom('session_notes').where('tenant_id', '=', tenantId).where('session_id', 'in', ids).execute();
        await db.deleteFrom('session_participants').where('tenant_id', '=', tenantId).where('session_id', 'in', ids).execute();
        await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
        await recordings.deleteSessions(tenantId, ids);
      }
      return { sessions: ids.length, chat: data.chat.length, notes: data.notes.length, recordings: data.recordings.length };
    },
  };
}

export type AdminStore = ReturnType<typeof createAdminStore>;
