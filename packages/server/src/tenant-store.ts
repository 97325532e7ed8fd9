import { sql } from 'kysely';
import type { Db } from './db/database.ts';

/** A tenant's licence: named agent seats, or concurrent live sessions. */
export type Plan = { kind: 'unlimited' } | { kind: 'seats'; limit: number } | { kind: 'capacity'; limit: number };

export interface RetentionSettings {
  /** Days to keep each kind of data; null keeps it forever. */
  sessionsDays: number | null;
  chatDays: number | null;
  auditDays: number | null;
  recordingsDays: number | null;
}

export const DEFAULT_RETENTION: RetentionSettings = { sessionsDays: null, chatDays: null, auditDays: null, recordingsDays: null };

function parse<T>(raw: string, fallback: T): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

export function describePlan(plan: Plan): string {
  if (plan.kind === 'seats') return `seats: ${plan.limit}`;
  if (plan.kind === 'capacity') return `capacity: ${plan.limit}`;
  return 'unlimited';
}

/** Parses `seats:N`, `capacity:N` or `unlimited` (the CLI's syntax). */
export function parsePlan(text: string): Plan | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'unlimited') return { kind: 'unlimited' };
  const match = /^(seats|capacity)\s*[:=]\s*(\d{1,7})$/.exec(trimmed);
  if (!match) return null;
  const limit = Number(match[2]);
  if (limit < 1) return null;
  return { kind: match[1] as 'seats' | 'capacity', limit };
}

/** Tenants, plans, usage and retention settings. */
export function createTenantStore(db: Db) {
  const today = () => new Date().toISOString().slice(0, 10);
  return {
    async listTenants() {
      const rows = await db.selectFrom('tenants').select(['id', 'name', 'plan', 'created_at']).orderBy('created_at').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, plan: parse<Plan>(r.plan, { kind: 'unlimited' }), createdAt: Number(r.created_at) }));
    },
    async findTenantByName(name: string) {
      return (await db.selectFrom('tenants').select(['id', 'name']).where('name', '=', name).executeTakeFirst()) ?? null;
    },
    async getPlan(tenantId: string): Promise<Plan> {
      const row = await db.selectFrom('tenants').select('plan').where('id', '=', tenantId).executeTakeFirst();
      return row ? parse<Plan>(row.plan, { kind: 'unlimited' }) : { kind: 'unlimited' };
    },
    async setPlan(tenantId: string, plan: Plan): Promise<boolean> {
      const result = await db.updateTable('tenants').set({ plan: JSON.stringify(plan) }).where('id', '=', tenantId).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async getRetention(tenantId: string): Promise<RetentionSettings> {
      const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
      const settings = row ? parse<{ retention?: Partial<RetentionSettings> }>(row.settings, {}) : {};
      return { ...DEFAULT_RETENTION, ...settings.retention };
    },
    async setRetention(tenantId: string, retention: RetentionSettings): Promise<void> {
      const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
      const settings = row ? parse<Record<string, unknown>>(row.settings, {}) : {};
      await db.updateTable('tenants').set({ settings: JSON.stringify({ ...settings, retention }) }).where('id', '=', tenantId).execute();
    },
    /** Per-tenant URL patterns for "Open a website" (shared-browser/url-policy.ts). */
    async getSharedBrowserPolicy(tenantId: string): Promise<{ allow: string[]; block: string[] }> {
      const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
      const settings = row ? parse<{ sharedBrowser?: { allow?: unknown; block?: unknown } }>(row.settings, {}) : {};
      const list = (x: unknown) => (Array.isArray(x) ? x.filter((p): p is string => typeof p === 'string') : []);
      return { allow: list(settings.sharedBrowser?.allow), block: list(settings.sharedBrowser?.block) };
    },
    async setSharedBrowserPolicy(tenantId: string, sharedBrowser: { allow: string[]; block: string[] }): Promise<void> {
      const row = await db.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirst();
      const settings = row ? parse<Record<string, unknown>>(row.settings, {}) : {};
      await db.updateTable('tenants').set({ settings: JSON.stringify({ ...settings, sharedBrowser }) }).where('id', '=', tenantId).execute();
    },
    async countActiveAgents(tenantId: string): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('disabled', '=', 0).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    /** Counts a session start and raises today's peak of concurrent sessions. */
    async recordSessionStarted(tenantId: string, concurrentNow: number): Promise<void> {
      const day = today();
      await db
        .insertInto('usage_daily')
        .values({ tenant_id: tenantId, day, peak_concurrent: concurrentNow, sessions_started: 1 })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'day']).doUpdateSet({
            sessions_started: sql`usage_daily.sessions_started + 1`,
            peak_concurrent: sql`case when usage_daily.peak_concurrent > ${concurrentNow} then usage_daily.peak_concurrent else ${concurrentNow} end`,
          }),
        )
        .execute();
    },
    async usage(tenantId: string, days = 31) {
      const rows = await db.selectFrom('usage_daily').selectAll().where('tenant_id', '=', tenantId).orderBy('day', 'desc').limit(days * 12).execute();
      const daily = rows.slice(0, days).map((r) => ({ day: r.day, peakConcurrent: Number(r.peak_concurrent), sessions: Number(r.sessions_started) }));
      const monthly = new Map<string, number>();
      for (const r of rows) monthly.set(r.day.slice(0, 7), (monthly.get(r.day.slice(0, 7)) ?? 0) + Number(r.sessions_started));
      return { daily, monthly: [...monthly].map(([month, sessions]) => ({ month, sessions })) };
    },
  };
}

export type TenantStore = ReturnType<typeof createTenantStore>;
