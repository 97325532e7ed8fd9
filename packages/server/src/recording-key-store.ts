import { createPublicKey } from 'node:crypto';
import type { Db } from './db/database.ts';

/** At most this many wrapped epoch keys per recording (a key every 10 minutes, on every join, leave and page load). */
export const MAX_EPOCH_KEYS_PER_SESSION = 4096;

/**
 * Checks a tenant recording public key: base64url (or base64) of an uncompressed P-256 point,
 * 65 bytes starting with 0x04, on the curve. Returns the canonical base64url form, or null.
 *
 * @example parseRecordingPublicKey(Buffer.from(rawPoint).toString('base64url')) // 'BN3...'
 */
export function parseRecordingPublicKey(text: string): string | null {
  const raw = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (raw.byteLength !== 65 || raw[0] !== 0x04) return null;
  try {
    // Throws when the point is not on the curve.
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  } catch {
    return null;
  }
  return raw.toString('base64url');
}

/**
 * Encrypted recordings (docs/E2EE.md, "Recordings"): the tenant's recording public key (the
 * private key never reaches the server) and, per recorded session, each epoch's group key wrapped
 * to it by the customer's tab. The server stores both as opaque text. Every read takes the tenant.
 */
export function createRecordingKeyStore(db: Db) {
  return {
    async getTenantKey(tenantId: string): Promise<{ publicKey: string; createdAt: number } | null> {
      const row = await db.selectFrom('tenant_recording_keys').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
      return row ? { publicKey: row.public_key, createdAt: Number(row.created_at) } : null;
    },
    async setTenantKey(tenantId: string, publicKey: string): Promise<void> {
      const created_at = Date.now();
      await db
        .insertInto('tenant_recording_keys')
        .values({ tenant_id: tenantId, public_key: publicKey, created_at })
        .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ public_key: publicKey, created_at }))
        .execute();
    },
    async deleteTenantKey(tenantId: string): Promise<boolean> {
      const r = await db.deleteFrom('tenant_recording_keys').where('tenant_id', '=', tenantId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** Stores an epoch key as the customer's tab wrapped it; the first upload of an epoch wins. False when the session has too many. */
    async addEpochKey(tenantId: string, sessionId: string, epoch: number, wrapped: string): Promise<boolean> {
      const count = await db.selectFrom('recording_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).executeTakeFirst();
      if (Number(count?.n ?? 0) >= MAX_EPOCH_KEYS_PER_SESSION) return false;
      await db
        .insertInto('recording_keys')
        .values({ tenant_id: tenantId, session_id: sessionId, epoch, wrapped, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['session_id', 'epoch']).doNothing())
        .execute();
      return true;
    },
    async listEpochKeys(tenantId: string, sessionId: string): Promise<Array<{ epoch: number; wrapped: string; at: number }>> {
      const rows = await db.selectFrom('recording_keys').selectAll().where('tenant_id', '=', tenantId).where('session_id', '=', sessionId).orderBy('epoch').execute();
      return rows.map((r) => ({ epoch: Number(r.epoch), wrapped: r.wrapped, at: Number(r.created_at) }));
    },
    async deleteSessions(tenantId: string, sessionIds: string[]): Promise<void> {
      if (sessionIds.length === 0) return;
      await db.deleteFrom('recording_keys').where('tenant_id', '=', tenantId).where('session_id', 'in', sessionIds).execute();
    },
  };
}

export type RecordingKeyStore = ReturnType<typeof createRecordingKeyStore>;
