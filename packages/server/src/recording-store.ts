import { sql } from 'kysely';
import type { Db } from './db/database.ts';

/** A DOM frame as it passed the relay: the bytes the customer's tab sent, and when they arrived. */
export interface RecordedFrame {
  seq: number;
  at: number;
  bytes: Buffer;
}

export interface RecordingOwner {
  tenantId: string;
  sessionId: string;
  siteId: string;
  startedAt: number;
  /** An end-to-end encrypted session: the frames are ciphertext, readable with the tenant's recording key only. */
  e2ee?: boolean;
}

export interface RecordingSummary {
  sessionId: string;
  siteId: string;
  siteName: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number;
  sizeBytes: number;
  frames: number;
  /** Ciphertext frames of an end-to-end encrypted session (GET /recordings/:id/encrypted). */
  e2ee?: boolean;
}

type Row = { session_id: string; site_id: string; site_name: string | null; started_at: number; ended_at: number | null; size_bytes: number; frames: number; e2ee: number; last_at?: number | null };

function toSummary(r: Row): RecordingSummary {
  const startedAt = Number(r.started_at);
  const endedAt = r.ended_at === null ? null : Number(r.ended_at);
  return {
    sessionId: r.session_id,
    siteId: r.site_id,
    siteName: r.site_name ?? '',
    startedAt,
    endedAt,
    durationMs: Math.max(0, (endedAt ?? Date.now()) - startedAt),
    sizeBytes: Number(r.size_bytes),
    frames: Number(r.frames),
    ...(r.e2ee ? { e2ee: true } : {}),
  };
}

/**
 * Session recordings: the raw DOM frames of sessions on sites whose policy records them
 * (`recording_chunks`, one row per frame) and one summary row per session (`recordings`).
 * Every read takes the tenant id. Works on SQLite and Postgres alike.
 */
export function createRecordingStore(db: Db) {
  const base = () =>
    db
      .selectFrom('recordings as r')
      .leftJoin('sites as s', (j) => j.onRef('s.id', '=', 'r.site_id').onRef('s.tenant_id', '=', 'r.tenant_id'))
      .select(['r.session_id', 'r.site_id', 's.name as site_name', 'r.started_at', 'r.ended_at', 'r.size_bytes', 'r.frames', 'r.e2ee']);

  async function deleteSessions(tenantId: string, sessionIds: string[]): Promise<number> {
    if (sessionIds.length === 0) return 0;
    await db.deleteFrom('recording_chunks').where('tenant_id', '=', tenantId).where('session_id', 'in', sessionIds).execute();
    await db.deleteFrom('recording_keys').where('tenant_id', '=', tenantId).where('session_id', 'in', sessionIds).execute();
    const r = await db.deleteFrom('recordings').where('tenant_id', '=', tenantId).where('session_id', 'in', sessionIds).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  return {
    /** Appends frames, in order, creating the recording on its first frames. */
    async append(owner: RecordingOwner, frames: readonly RecordedFrame[]): Promise<void> {
      if (frames.length === 0) return;
      const size = frames.reduce((n, f) => n + f.bytes.byteLength, 0);
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('recordings')
          .values({ session_id: owner.sessionId, tenant_id: owner.tenantId, site_id: owner.siteId, started_at: owner.startedAt, ended_at: null, e2ee: owner.e2ee ? 1 : 0 })
          .onConflict((oc) => oc.column('session_id').doNothing())
          .execute();
        await tx
          .insertInto('recording_chunks')
          .values(frames.map((f) => ({ tenant_id: owner.tenantId, session_id: owner.sessionId, seq: f.seq, at: f.at, bytes: f.bytes })))
          .execute();
        await tx
          .updateTable('recordings')
          .set({ size_bytes: sql`size_bytes + ${size}`, frames: sql`frames + ${frames.length}` })
          .where('tenant_id', '=', owner.tenantId)
          .where('session_id', '=', owner.sessionId)
          .execute();
      });
    },
    async finish(tenantId: string, sessionId: string, endedAt: number): Promise<void> {
      await db.updateTable('recordings').set({ ended_at: endedAt }).where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).execute();
    },
    async list(tenantId: string, limit = 100): Promise<RecordingSummary[]> {
      const rows = await base().where('r.tenant_id', '=', tenantId).orderBy('r.started_at', 'desc').limit(limit).execute();
      return rows.map(toSummary);
    },
    async get(tenantId: string, sessionId: string): Promise<(RecordingSummary & { allowedOrigins: string[] }) | null> {
      const row = await base().select('s.allowed_origins').where('r.tenant_id', '=', tenantId).where('r.session_id', '=', sessionId).executeTakeFirst();
      if (!row) return null;
      let allowedOrigins: string[] = [];
      try {
        allowedOrigins = JSON.parse(row.allowed_origins ?? '[]') as string[];
      } catch {
        allowedOrigins = [];
      }
      return { ...toSummary(row), allowedOrigins };
    },
    /** The frames of a recording, in the order they arrived. */
    async frames(tenantId: string, sessionId: string): Promise<RecordedFrame[]> {
      const rows = await db.selectFrom('recording_chunks').select(['seq', 'at', 'bytes']).where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).orderBy('id').execute();
      return rows.map((r) => ({ seq: Number(r.seq), at: Number(r.at), bytes: Buffer.from(r.bytes) }));
    },
    /** Session ids (of the given ones) that have a recording. */
    async recordedAmong(tenantId: string, sessionIds: string[]): Promise<string[]> {
      if (sessionIds.length === 0) return [];
      const rows = await db.selectFrom('recordings').select('session_id').where('tenant_id', '=', tenantId).where('session_id', 'in', sessionIds).execute();
      return rows.map((r) => r.session_id);
    },
    deleteSessions,
    /** Retention: deletes finished recordings that started before `cutoff`. */
    async purgeBefore(tenantId: string, cutoff: number): Promise<number> {
      const rows = await db.selectFrom('recordings').select('session_id').where('tenant_id', '=', tenantId).where('started_at', '<', cutoff).where('ended_at', 'is not', null).execute();
      return deleteSessions(
        tenantId,
        rows.map((r) => r.session_id),
      );
    },
  };
}

export type RecordingStore = ReturnType<typeof createRecordingStore>;
