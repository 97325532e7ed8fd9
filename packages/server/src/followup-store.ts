import { gunzipSync } from 'node:zlib';
import type { FollowupEntry, FollowupEntryKind, FollowupSummary } from '@samepage/protocol';
import type { Db } from './db/database.ts';
import { newId, newSecret, safeEqual, sha256 } from './ids.ts';

export type { FollowupEntry, FollowupSummary };

export interface NewFollowup {
  tenantId: string;
  siteId: string;
  visitor: { id?: string; name?: string; email?: string };
  page: { url: string; title: string };
  text: string;
  /** gzip-compressed rrweb events, opaque to the server. */
  snapshot?: Buffer;
}

type Row = {
  id: string;
  site_id: string;
  site_name: string | null;
  visitor_id: string | null;
  visitor_name: string | null;
  visitor_email: string | null;
  page_url: string;
  page_title: string;
  created_at: number;
  updated_at: number;
  read_at: number | null;
  replied_at: number | null;
  reply_seen_at: number | null;
  snapshot_bytes: number | null;
  live_code: string | null;
  live_at: number | null;
};

const num = (n: number | null): number | null => (n === null ? null : Number(n));

function toSummary(r: Row, text: string): FollowupSummary {
  return {
    id: r.id,
    siteId: r.site_id,
    siteName: r.site_name ?? '',
    visitor: { id: r.visitor_id, name: r.visitor_name, email: r.visitor_email },
    page: { url: r.page_url, title: r.page_title },
    text,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    readAt: num(r.read_at),
    repliedAt: num(r.replied_at),
    replySeenAt: num(r.reply_seen_at),
    snapshotBytes: num(r.snapshot_bytes),
    live: r.live_code && r.live_at !== null ? { code: r.live_code, at: Number(r.live_at) } : null,
  };
}

const toEntry = (r: { id: string; kind: string; user_id: string | null; author_name: string; text: string; at: number }): FollowupEntry => ({
  id: r.id,
  kind: r.kind as FollowupEntryKind,
  userId: r.user_id,
  authorName: r.author_name,
  text: r.text,
  at: Number(r.at),
});

/**
 * "Leave a message": follow-up threads, their entries and snapshots. Agent-side calls are
 * scoped by tenant; visitor-side calls by site and the thread's secret (only its hash is stored).
 */
export function createFollowupStore(db: Db) {
  const summaries = () =>
    db
      .selectFrom('followups as f')
      .leftJoin('sites as s', (j) => j.onRef('s.id', '=', 'f.site_id').onRef('s.tenant_id', '=', 'f.tenant_id'))
      .select([
        'f.id',
        'f.site_id',
        's.name as site_name',
        'f.visitor_id',
        'f.visitor_name',
        'f.visitor_email',
        'f.page_url',
        'f.page_title',
        'f.created_at',
        'f.updated_at',
        'f.read_at',
        'f.replied_at',
        'f.reply_seen_at',
        'f.snapshot_bytes',
        'f.live_code',
        'f.live_at',
      ]);

  const firstTexts = async (tenantId: string, ids: string[]): Promise<Map<string, string>> => {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('followup_entries')
      .select(['followup_id', 'text', 'at'])
      .where('tenant_id', '=', tenantId)
      .where('followup_id', 'in', ids)
      .where('kind', '=', 'visitor')
      .orderBy('at')
      .execute();
    const map = new Map<string, string>();
    for (const r of rows) if (!map.has(r.followup_id)) map.set(r.followup_id, r.text);
    return map;
  };

  /** A thread of this site whose secret matches, or null. */
  const ownThread = async (siteId: string, id: string, token: string) => {
    const row = await db.selectFrom('followups').select(['id', 'tenant_id', 'visitor_id', 'token_hash']).where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
    return row && safeEqual(row.token_hash, sha256(token)) ? row : null;
  };

  const store = {
    /**
     * Stores a visitor's message; returns the thread id and the secret that lets this browser read the replies.
     *
     * @example const { id, token } = await followups.create({ tenantId, siteId, visitor: {}, page, text: 'Call me?' });
     */
    async create(input: NewFollowup): Promise<{ id: string; token: string; entry: FollowupEntry }> {
      const id = newId('fu');
      const token = newSecret(24);
      const at = Date.now();
      const entry: FollowupEntry = { id: newId('fe'), kind: 'visitor', userId: null, authorName: input.visitor.name ?? '', text: input.text, at };
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('followups')
          .values({
            id,
            tenant_id: input.tenantId,
            site_id: input.siteId,
            visitor_id: input.visitor.id ?? null,
            visitor_name: input.visitor.name ?? null,
            visitor_email: input.visitor.email ?? null,
            page_url: input.page.url,
            page_title: input.page.title,
            token_hash: sha256(token),
            created_at: at,
            updated_at: at,
            read_at: null,
            replied_at: null,
            reply_seen_at: null,
            snapshot_bytes: input.snapshot ? input.snapshot.byteLength : null,
            live_code: null,
            live_at: null,
          })
          .execute();
        await tx
          .insertInto('followup_entries')
          .values({ id: entry.id, tenant_id: input.tenantId, followup_id: id, kind: 'visitor', user_id: null, author_name: entry.authorName, text: entry.text, at })
          .execute();
        if (input.snapshot) await tx.insertInto('followup_snapshots').values({ followup_id: id, tenant_id: input.tenantId, bytes: input.snapshot, created_at: at }).execute();
      });
      return { id, token, entry };
    },

    /** Newest activity first; `unread` = no agent has opened it yet, `open` = not replied yet. */
    async list(tenantId: string, filter: { status: 'all' | 'unread' | 'open'; limit: number }): Promise<FollowupSummary[]> {
      let query = summaries().where('f.tenant_id', '=', tenantId);
      if (filter.status === 'unread') query = query.where('f.read_at', 'is', null);
      if (filter.status === 'open') query = query.where('f.replied_at', 'is', null);
      const rows = (await query.orderBy('f.updated_at', 'desc').limit(filter.limit).execute()) as Row[];
      const texts = await firstTexts(
        tenantId,
        rows.map((r) => r.id),
      );
      return rows.map((r) => toSummary(r, texts.get(r.id) ?? ''));
    },

    async countUnread(tenantId: string): Promise<number> {
      const row = await db.selectFrom('followups').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('read_at', 'is', null).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async get(tenantId: string, id: string): Promise<{ message: FollowupSummary; entries: FollowupEntry[] } | null> {
      const row = (await summaries().where('f.tenant_id', '=', tenantId).where('f.id', '=', id).executeTakeFirst()) as Row | undefined;
      if (!row) return null;
      const entries = (await db.selectFrom('followup_entries').selectAll().where('tenant_id', '=', tenantId).where('followup_id', '=', id).orderBy('at').orderBy('id').execute()).map(toEntry);
      return { message: toSummary(row, entries.find((e) => e.kind === 'visitor')?.text ?? ''), entries };
    },

    /** The first time an agent opens the thread. */
    async markRead(tenantId: string, id: string): Promise<void> {
      await db.updateTable('followups').set({ read_at: Date.now() }).where('tenant_id', '=', tenantId).where('id', '=', id).where('read_at', 'is', null).execute();
    },

    /** A reply (shown to the visitor on their next visit) or a note (agents only). */
    async addEntry(tenantId: string, id: string, kind: 'reply' | 'note', author: { id: string; name: string }, text: string): Promise<FollowupEntry | null> {
      const entry: FollowupEntry = { id: newId('fe'), kind, userId: author.id, authorName: author.name, text, at: Date.now() };
      const found = await db.transaction().execute(async (tx) => {
        // Entries are listed by time: one written in the same millisecond as the last goes after it.
        const last = await tx.selectFrom('followup_entries').select((eb) => eb.fn.max('at').as('at')).where('tenant_id', '=', tenantId).where('followup_id', '=', id).executeTakeFirst();
        const at = (entry.at = Math.max(entry.at, Number(last?.at ?? 0) + 1));
        const patch = kind === 'reply' ? { updated_at: at, replied_at: at, reply_seen_at: null, read_at: at } : { updated_at: at };
        const result = await tx.updateTable('followups').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await tx.insertInto('followup_entries').values({ id: entry.id, tenant_id: tenantId, followup_id: id, kind, user_id: author.id, author_name: author.name, text, at }).execute();
        return true;
      });
      return found ? entry : null;
    },

    async snapshot(tenantId: string, id: string): Promise<Buffer | null> {
      const row = await db.selectFrom('followup_snapshots').select('bytes').where('tenant_id', '=', tenantId).where('followup_id', '=', id).executeTakeFirst();
      return row ? Buffer.from(row.bytes) : null;
    },

    /**
     * The visitor's side: the threads of this site whose secrets they hold, with the agents'
     * replies (never notes). A thread left by an identified visitor is only shown to that identity.
     */
    async forVisitor(siteId: string, held: Array<{ id: string; token: string }>, identityId: string | undefined) {
      const out: Array<{ id: string; text: string; createdAt: number; replies: Array<{ id: string; authorName: string; text: string; at: number }>; seen: boolean }> = [];
      for (const { id, token } of held) {
        const thread = await ownThread(siteId, id, token);
        if (!thread || (thread.visitor_id !== null && thread.visitor_id !== identityId)) continue;
        const full = await store.get(thread.tenant_id, id);
        if (!full) continue;
        const replies = full.entries.filter((e) => e.kind === 'reply').map((e) => ({ id: e.id, authorName: e.authorName, text: e.text, at: e.at }));
        out.push({ id, text: full.message.text, createdAt: full.message.createdAt, replies, seen: full.message.replySeenAt !== null });
      }
      return out;
    },

    /** The visitor's widget showed the replies. */
    async markSeen(siteId: string, id: string, token: string): Promise<boolean> {
      const thread = await ownThread(siteId, id, token);
      if (!thread) return false;
      await db.updateTable('followups').set({ reply_seen_at: Date.now() }).where('id', '=', id).where('site_id', '=', siteId).execute();
      return true;
    },

    /** The visitor started a live session from a reply: agents see its code on the thread. */
    async setLive(siteId: string, id: string, token: string, code: string): Promise<{ tenantId: string } | null> {
      const thread = await ownThread(siteId, id, token);
      if (!thread) return null;
      const at = Date.now();
      await db.updateTable('followups').set({ live_code: code, live_at: at, updated_at: at, reply_seen_at: at }).where('id', '=', id).where('site_id', '=', siteId).execute();
      return { tenantId: thread.tenant_id };
    },

    /** Everything a visitor id left (messages, replies, notes, snapshots as rrweb events), for a data export. */
    async exportVisitor(tenantId: string, visitorId: string) {
      const rows = await db.selectFrom('followups').select('id').where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).orderBy('created_at').execute();
      const out = [];
      for (const { id } of rows) {
        const found = await store.get(tenantId, id);
        const bytes = await store.snapshot(tenantId, id);
        if (found) out.push({ ...found.message, entries: found.entries, snapshot: bytes ? (JSON.parse(gunzipSync(bytes).toString('utf8')) as unknown) : null });
      }
      return out;
    },

    /** Deletes every thread a visitor id left; returns how many. */
    async deleteVisitor(tenantId: string, visitorId: string): Promise<number> {
      const ids = (await db.selectFrom('followups').select('id').where('tenant_id', '=', tenantId).where('visitor_id', '=', visitorId).execute()).map((r) => r.id);
      await deleteThreads(tenantId, ids);
      return ids.length;
    },

    /** Retention: threads without activity since `cutoff` go, with their entries and snapshots. */
    async purgeBefore(tenantId: string, cutoff: number): Promise<number> {
      const ids = (await db.selectFrom('followups').select('id').where('tenant_id', '=', tenantId).where('updated_at', '<', cutoff).execute()).map((r) => r.id);
      await deleteThreads(tenantId, ids);
      return ids.length;
    },
  };
  async function deleteThreads(tenantId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('followup_entries').where('tenant_id', '=', tenantId).where('followup_id', 'in', ids).execute();
      await tx.deleteFrom('followup_snapshots').where('tenant_id', '=', tenantId).where('followup_id', 'in', ids).execute();
      await tx.deleteFrom('shares').where('tenant_id', '=', tenantId).where('target_type', '=', 'message').where('target_id', 'in', ids).execute();
      await tx.deleteFrom('followups').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
    });
  }
  return store;
}

export type FollowupStore = ReturnType<typeof createFollowupStore>;
