import { isPermission, type Permission } from '@samepage/protocol';
import type { Db } from './db/database.ts';
import { newId, newSecret, sha256 } from './ids.ts';

export interface ApiTokenRecord {
  id: string;
  tenantId: string;
  name: string;
  permissions: Permission[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface WebhookRecord {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  createdAt: number;
  disabled: boolean;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  tenantId: string;
  event: string;
  payload: string;
  attempts: number;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
}

/** A token's prefix makes it recognisable in logs and secret scanners. */
export const API_TOKEN_PREFIX = 'sp_';

function permissionsOf(raw: string): Permission[] {
  try {
    return (JSON.parse(raw) as string[]).filter(isPermission);
  } catch {
    return [];
  }
}

type TokenRow = { id: string; tenant_id: string; name: string; permissions: string; created_at: number; last_used_at: number | null; revoked_at: number | null };
const toToken = (r: TokenRow): ApiTokenRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  permissions: permissionsOf(r.permissions),
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

type HookRow = { id: string; tenant_id: string; url: string; events: string; created_at: number; disabled: number };
const toHook = (r: HookRow): WebhookRecord => ({ id: r.id, tenantId: r.tenant_id, url: r.url, events: JSON.parse(r.events) as string[], createdAt: Number(r.created_at), disabled: r.disabled !== 0 });

/** API tokens, webhook endpoints and their delivery queue. Tenant-scoped, except the worker's queue reads. */
export function createApiStore(db: Db) {
  return {
    /** Returns the record and the secret token, which is stored only as its SHA-256. */
    async createToken(tenantId: string, name: string, permissions: Permission[]): Promise<{ token: string; record: ApiTokenRecord }> {
      const token = API_TOKEN_PREFIX + newSecret(32);
      const row = { id: newId('tok'), tenant_id: tenantId, name, token_hash: sha256(token), permissions: JSON.stringify(permissions), created_at: Date.now(), last_used_at: null, revoked_at: null };
      await db.insertInto('api_tokens').values(row).execute();
      return { token, record: toToken(row) };
    },
    async listTokens(tenantId: string): Promise<ApiTokenRecord[]> {
      const rows = await db.selectFrom('api_tokens').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute();
      return rows.map(toToken);
    },
    async revokeToken(tenantId: string, id: string): Promise<boolean> {
      const r = await db.updateTable('api_tokens').set({ revoked_at: Date.now() }).where('tenant_id', '=', tenantId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** An active token by its secret, or null (unknown or revoked). Notes its use, at most once a minute. */
    async findToken(token: string): Promise<ApiTokenRecord | null> {
      if (!token.startsWith(API_TOKEN_PREFIX)) return null;
      const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
      if (!row || row.revoked_at !== null) return null;
      const now = Date.now();
      if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000) {
        await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
        row.last_used_at = now;
      }
      return toToken(row);
    },

    async createWebhook(tenantId: string, url: string, events: string[]): Promise<{ record: WebhookRecord; secret: string }> {
      const secret = `whsec_${newSecret(32)}`;
      const row = { id: newId('wh'), tenant_id: tenantId, url, secret, events: JSON.stringify(events), created_at: Date.now(), disabled: 0 };
      await db.insertInto('webhooks').values(row).execute();
      return { record: toHook(row), secret };
    },
    async listWebhooks(tenantId: string): Promise<WebhookRecord[]> {
      return (await db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute()).map(toHook);
    },
    async getWebhook(tenantId: string, id: string): Promise<WebhookRecord | null> {
      const row = await db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toHook(row) : null;
    },
    async updateWebhook(tenantId: string, id: string, patch: { url?: string; events?: string[]; disabled?: boolean }): Promise<void> {
      await db
        .updateTable('webhooks')
        .set({
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
          ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
      await db.deleteFrom('webhook_deliveries').where('tenant_id', '=', tenantId).where('webhook_id', '=', id).execute();
      const r = await db.deleteFrom('webhooks').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** The enabled endpoints of a tenant that want this event, with their secrets. */
    async subscribers(tenantId: string, event: string) {
      const rows = await db.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).where('disabled', '=', 0).execute();
      return rows.filter((r) => (JSON.parse(r.events) as string[]).includes(event));
    },
    async secretOf(webhookId: string): Promise<{ url: string; secret: string; disabled: boolean } | null> {
      const row = await db.selectFrom('webhooks').select(['url', 'secret', 'disabled']).where('id', '=', webhookId).executeTakeFirst();
      return row ? { url: row.url, secret: row.secret, disabled: row.disabled !== 0 } : null;
    },

    async enqueue(d: { webhookId: string; tenantId: string; event: string; payload: string; at: number }): Promise<string> {
      const id = newId('dlv');
      await db
        .insertInto('webhook_deliveries')
        .values({ id, webhook_id: d.webhookId, tenant_id: d.tenantId, event: d.event, payload: d.payload, attempts: 0, next_attempt_at: d.at, delivered_at: null, last_status: null, last_error: null, created_at: d.at })
        .execute();
      return id;
    },
    async dueDeliveries(now: number, limit: number): Promise<DeliveryRecord[]> {
      const rows = await db.selectFrom('webhook_deliveries').selectAll().where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        webhookId: r.webhook_id,
        tenantId: r.tenant_id,
        event: r.event,
        payload: r.payload,
        attempts: Number(r.attempts),
        nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
        deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
        lastStatus: r.last_status,
        lastError: r.last_error,
        createdAt: Number(r.created_at),
      }));
    },
    /** When the next pending delivery is due, or null. */
    async nextAttemptAt(): Promise<number | null> {
      const row = await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.min('next_attempt_at').as('at')).executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },
    /** Takes a delivery for `leaseMs` so no other worker (or node) sends it at the same time. */
    async claim(id: string, expectedNext: number, until: number): Promise<boolean> {
      const r = await db.updateTable('webhook_deliveries').set({ next_attempt_at: until }).where('id', '=', id).where('next_attempt_at', '=', expectedNext).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async recordAttempt(id: string, result: { attempts: number; status: number | null; error: string | null; delivered: boolean; nextAttemptAt: number | null }): Promise<void> {
      await db
        .updateTable('webhook_deliveries')
        .set({ attempts: result.attempts, last_status: result.status, last_error: result.error, next_attempt_at: result.nextAttemptAt, delivered_at: result.delivered ? Date.now() : null })
        .where('id', '=', id)
        .execute();
    },
    async listDeliveries(tenantId: string, webhookId: string, limit = 100) {
      const rows = await db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId).where('webhook_id', '=', webhookId).orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id,
        event: r.event,
        attempts: Number(r.attempts),
        nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
        deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
        lastStatus: r.last_status === null ? null : Number(r.last_status),
        lastError: r.last_error,
        createdAt: Number(r.created_at),
      }));
    },
  };
}

export type ApiStore = ReturnType<typeof createApiStore>;
