import type { Share, ShareTarget } from '@samepage/protocol';
import type { Db } from './db/database.ts';
import { newId } from './ids.ts';

export type { Share, ShareTarget };

type Row = {
  id: string;
  target_type: string;
  target_id: string;
  from_user_id: string;
  from_name: string;
  to_user_id: string | null;
  note: string;
  created_at: number;
  picked_up_at: number | null;
  picked_up_by: string | null;
};

const toShare = (r: Row): Share => ({
  id: r.id,
  target: { type: r.target_type === 'message' ? 'message' : 'session', id: r.target_id },
  from: { userId: r.from_user_id, name: r.from_name },
  toUserId: r.to_user_id,
  note: r.note,
  createdAt: Number(r.created_at),
  pickedUpAt: r.picked_up_at === null ? null : Number(r.picked_up_at),
  pickedUpBy: r.picked_up_by,
});

/** Links that hand a session or a message to a colleague to pick up later. Scoped by tenant. */
export function createShareStore(db: Db) {
  return {
    /** @example await shares.create(tenantId, { type: 'session', id }, { id: user.id, name: user.name }, colleagueId, 'Customer calls back at 3') */
    async create(tenantId: string, target: ShareTarget, from: { id: string; name: string }, toUserId: string | null, note: string): Promise<Share> {
      const row: Row & { tenant_id: string } = {
        id: newId('sh'),
        tenant_id: tenantId,
        target_type: target.type,
        target_id: target.id,
        from_user_id: from.id,
        from_name: from.name,
        to_user_id: toUserId,
        note,
        created_at: Date.now(),
        picked_up_at: null,
        picked_up_by: null,
      };
      await db.insertInto('shares').values(row).execute();
      return toShare(row);
    },

    async get(tenantId: string, id: string): Promise<Share | null> {
      const row = await db.selectFrom('shares').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toShare(row) : null;
    },

    /** Shared with this user (or with anyone), newest first. */
    async listFor(tenantId: string, userId: string, limit: number): Promise<Share[]> {
      const rows = await db
        .selectFrom('shares')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('to_user_id', '=', userId), eb('to_user_id', 'is', null)]))
        .where('from_user_id', '!=', userId)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toShare);
    },

    /** The first opening by someone other than the sender counts as the pickup. */
    async markPickedUp(tenantId: string, id: string, userId: string): Promise<void> {
      await db
        .updateTable('shares')
        .set({ picked_up_at: Date.now(), picked_up_by: userId })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('picked_up_at', 'is', null)
        .where('from_user_id', '!=', userId)
        .execute();
    },
  };
}

export type ShareStore = ReturnType<typeof createShareStore>;
