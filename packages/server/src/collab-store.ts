import { BUILT_IN_ROLES, isPermission, type ChatMessage, type Permission } from '@samepage/protocol';
import type { Db } from './db/database.ts';
import { newId } from './ids.ts';

export interface RoleInfo {
  key: string;
  title: string;
  permissions: Permission[];
  builtIn: boolean;
}

/** Chat, notes, roles and the session history. Every query is scoped by tenant. */
export function createCollabStore(db: Db) {
  return {
    /** A role's permissions: built-in roles first, then the tenant's custom roles. Unknown → none. */
    async resolveRole(tenantId: string, key: string): Promise<RoleInfo> {
      const builtIn = BUILT_IN_ROLES[key];
      if (builtIn) return { key, title: builtIn.title, permissions: [...builtIn.permissions], builtIn: true };
      const row = await db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst();
      if (!row) return { key, title: key, permissions: [], builtIn: false };
      const permissions = (JSON.parse(row.permissions) as string[]).filter(isPermission);
      return { key, title: row.title, permissions, builtIn: false };
    },
    async createRole(tenantId: string, key: string, title: string, permissions: Permission[]): Promise<void> {
      await db.insertInto('roles').values({ id: newId('role'), tenant_id: tenantId, key, title, permissions: JSON.stringify(permissions), created_at: Date.now() }).execute();
    },

    async appendChat(tenantId: string, sessionId: string, message: ChatMessage): Promise<void> {
      await db
        .insertInto('chat_messages')
        .values({
          id: message.id,
          tenant_id: tenantId,
          session_id: sessionId,
          seq: message.seq,
          client_id: message.clientId,
          participant_id: message.from.participantId,
          sender_name: message.from.name,
          sender_role: message.from.role,
          text: message.text,
          at: message.at,
          encrypted: message.encrypted ? 1 : 0,
        })
        .execute();
    },
    async listChat(tenantId: string, sessionId: string): Promise<ChatMessage[]> {
      const rows = await db.selectFrom('chat_messages').selectAll().where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).orderBy('seq').execute();
      return rows.map((r) => ({
        seq: r.seq,
        id: r.id,
        clientId: r.client_id,
        from: { participantId: r.participant_id, name: r.sender_name, role: r.sender_role as ChatMessage['from']['role'] },
        text: r.text,
        at: Number(r.at),
        ...(r.encrypted ? { encrypted: true } : {}),
      }));
    },

    async addNote(tenantId: string, sessionId: string, user: { id: string; name: string }, text: string) {
      const note = { id: newId('note'), tenant_id: tenantId, session_id: sessionId, user_id: user.id, user_name: user.name, text, at: Date.now() };
      await db.insertInto('session_notes').values(note).execute();
      return { id: note.id, userId: user.id, userName: user.name, text, at: note.at };
    },
    async listNotes(tenantId: string, sessionId: string) {
      const rows = await db.selectFrom('session_notes').selectAll().where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).orderBy('at').execute();
      return rows.map((r) => ({ id: r.id, userId: r.user_id, userName: r.user_name, text: r.text, at: Number(r.at) }));
    },

    async listSessions(tenantId: string, limit: number, filter: { status?: 'live' | 'ended'; siteId?: string; from?: number; to?: number } = {}) {
      let query = db
        .selectFrom('sessions as s')
        .leftJoin('sites as t', (j) => j.onRef('t.id', '=', 's.site_id').onRef('t.tenant_id', '=', 's.tenant_id'))
        .select(['s.id', 's.started_at', 's.ended_at', 's.ended_by', 's.end_reason', 's.visitor', 's.e2ee', 't.name as site_name'])
        .where('s.tenant_id', '=', tenantId);
      if (filter.status) query = query.where('s.ended_at', filter.status === 'live' ? 'is' : 'is not', null);
      if (filter.siteId) query = query.where('s.site_id', '=', filter.siteId);
      if (filter.from !== undefined) query = query.where('s.started_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('s.started_at', '<=', filter.to);
      const rows = await query
        .orderBy('s.started_at', 'desc')
        .limit(limit)
        .execute();
      const ids = rows.map((r) => r.id);
      const agents = ids.length
        ? await db.selectFrom('session_participants').select(['session_id', 'name']).where('tenant_id', '=', tenantId).where('session_id', 'in', ids).where('role', '=', 'agent').execute()
        : [];
      const counts = ids.length
        ? await db.selectFrom('chat_messages').select(['session_id']).select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('session_id', 'in', ids).groupBy('session_id').execute()
        : [];
      return rows.map((r) => ({
        id: r.id,
        siteName: r.site_name ?? '',
        startedAt: Number(r.started_at),
        endedAt: r.ended_at === null ? null : Number(r.ended_at),
        endedBy: r.ended_by,
        endReason: r.end_reason,
        visitor: r.visitor ? (JSON.parse(r.visitor) as unknown) : null,
        agents: [...new Set(agents.filter((a) => a.session_id === r.id).map((a) => a.name))],
        messageCount: Number(counts.find((c) => c.session_id === r.id)?.n ?? 0),
        ...(r.e2ee ? { e2ee: true } : {}),
      }));
    },
    async getSessionDetail(tenantId: string, sessionId: string) {
      const session = await db
        .selectFrom('sessions as s')
        .leftJoin('sites as t', (j) => j.onRef('t.id', '=', 's.site_id').onRef('t.tenant_id', '=', 's.tenant_id'))
        .select(['s.id', 's.started_at', 's.ended_at', 's.ended_by', 's.end_reason', 's.visitor', 's.e2ee', 't.name as site_name'])
        .where('s.tenant_id', '=', tenantId)
        .where('s.id', '=', sessionId)
        .executeTakeFirst();
      if (!session) return null;
      const participants = await db.selectFrom('session_participants').selectAll().where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).orderBy('joined_at').execute();
      return {
        session: {
          id: session.id,
          siteName: session.site_name ?? '',
          startedAt: Number(session.started_at),
          endedAt: session.ended_at === null ? null : Number(session.ended_at),
          endedBy: session.ended_by,
          endReason: session.end_reason,
          visitor: session.visitor ? (JSON.parse(session.visitor) as unknown) : null,
          ...(session.e2ee ? { e2ee: true } : {}),
        },
        participants: participants.map((p) => ({ id: p.id, name: p.name, role: p.role, joinedAt: Number(p.joined_at), leftAt: p.left_at === null ? null : Number(p.left_at) })),
      };
    },
  };
}

export type CollabStore = ReturnType<typeof createCollabStore>;
