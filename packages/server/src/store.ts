import type { RedactionRules, SiteTheme } from '@samepage/protocol';
import type { Db } from './db/database.ts';
import { newId, sha256 } from './ids.ts';

export interface UserRecord {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
  passwordHash: string;
}

export interface SitePolicy {
  /** Roles (keys) whose holders may ask for control; empty = any role with session.control. */
  controlRoles: string[];
  allowNavigation: boolean;
  allowGuests: boolean;
  recordSessions: boolean;
  allowCustomerStart: boolean;
  /** The widget theme set in the console (see siteThemeSchema in @samepage/protocol). */
  theme?: SiteTheme;
  /** End-to-end encryption (docs/E2EE.md): sessions of this site are encrypted between the customer's tab and verified agents. */
  e2ee: boolean;
}

export const DEFAULT_SITE_POLICY: SitePolicy = { controlRoles: [], allowNavigation: true, allowGuests: false, recordSessions: false, allowCustomerStart: true, e2ee: false };

export interface SiteRecord {
  id: string;
  tenantId: string;
  name: string;
  siteKey: string;
  /** Origins allowed to use the key; 'self' means the server's own origin (the demo shop). */
  allowedOrigins: string[];
  redaction: RedactionRules;
  policy: SitePolicy;
}

export type AuditActor = { type: 'user' | 'customer' | 'system' | 'api_token'; id: string | null };

const EMPTY_RULES: RedactionRules = { redact: [], block: [], allow: [] };

function parseJson<T>(raw: string, fallback: T): T {
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

/** All data access. Every query that reads tenant data takes the tenant id. */
export function createStore(db: Db) {
  const now = () => Date.now();

  function toUser(row: { id: string; tenant_id: string; email: string; name: string; role: string; disabled: number; password_hash: string }): UserRecord {
    return { id: row.id, tenantId: row.tenant_id, email: row.email, name: row.name, role: row.role, disabled: row.disabled !== 0, passwordHash: row.password_hash };
  }

  function toSite(row: { id: string; tenant_id: string; name: string; site_key: string; allowed_origins: string; redaction: string; policy: string }): SiteRecord {
    return {
      id: row.id,
      tenantId: row.tenant_id,
      name: row.name,
      siteKey: row.site_key,
      allowedOrigins: parseJson<string[]>(row.allowed_origins, []),
      redaction: { ...EMPTY_RULES, ...parseJson<Partial<RedactionRules>>(row.redaction, {}) },
      policy: { ...DEFAULT_SITE_POLICY, ...parseJson<Partial<SitePolicy>>(row.policy, {}) },
    };
  }

  return {
    db,

    async getSetting(key: string): Promise<string | null> {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value ?? null;
    },
    async setSetting(key: string, value: string): Promise<void> {
      await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    },

    async createTenant(name: string): Promise<{ id: string; name: string }> {
      const id = newId('ten');
      await db.insertInto('tenants').values({ id, name, created_at: now() }).execute();
      return { id, name };
    },
    async getTenant(id: string): Promise<{ id: string; name: string } | null> {
      const row = await db.selectFrom('tenants').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
      return row ?? null;
    },

    async createUser(input: { tenantId: string; email: string; name: string; role: string; passwordHash: string }): Promise<UserRecord> {
      const id = newId('usr');
      const email = input.email.trim().toLowerCase();
      await db
        .insertInto('users')
        .values({ id, tenant_id: input.tenantId, email, name: input.name, role: input.role, password_hash: input.passwordHash, disabled: 0, created_at: now() })
        .execute();
      return { id, tenantId: input.tenantId, email, name: input.name, role: input.role, disabled: false, passwordHash: input.passwordHash };
    },
    /** Login looks users up by email across tenants: emails are unique per instance. */
    async findUserByEmail(email: string): Promise<UserRecord | null> {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
      return row ? toUser(row) : null;
    },
    async getUser(tenantId: string, id: string): Promise<UserRecord | null> {
      const row = await db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    async createAuthSession(user: UserRecord, token: string, ttlMs: number): Promise<void> {
      await db
        .insertInto('auth_sessions')
        .values({ id: sha256(token), tenant_id: user.tenantId, user_id: user.id, created_at: now(), expires_at: now() + ttlMs })
        .execute();
    },
    /** Resolves a login cookie to its active, enabled user, or null. */
    async findUserByAuthToken(token: string): Promise<UserRecord | null> {
      const row = await db
        .selectFrom('auth_sessions as a')
        .innerJoin('users as u', (j) => j.onRef('u.id', '=', 'a.user_id').onRef('u.tenant_id', '=', 'a.tenant_id'))
        .select(['u.id', 'u.tenant_id', 'u.email', 'u.name', 'u.role', 'u.disabled', 'u.password_hash'])
        .where('a.id', '=', sha256(token))
        .where('a.expires_at', '>', now())
        .executeTakeFirst();
      if (!row || row.disabled) return null;
      return toUser(row);
    },
    async deleteAuthSession(token: string): Promise<void> {
      await db.deleteFrom('auth_sessions').where('id', '=', sha256(token)).execute();
    },

    async createSite(input: { tenantId: string; name: string; siteKey?: string; allowedOrigins: string[]; redaction?: Partial<RedactionRules>; policy?: Partial<SitePolicy> }): Promise<SiteRecord> {
      const id = newId('site');
      const siteKey = input.siteKey ?? newId('pk');
      const redaction = { ...EMPTY_RULES, ...input.redaction };
      const policy = { ...DEFAULT_SITE_POLICY, ...input.policy };
      await db
        .insertInto('sites')
        .values({
          id,
          tenant_id: input.tenantId,
          name: input.name,
          site_key: siteKey,
          allowed_origins: JSON.stringify(input.allowedOrigins),
          redaction: JSON.stringify(redaction),
          policy: JSON.stringify(policy),
          created_at: now(),
        })
        .execute();
      return { id, tenantId: input.tenantId, name: input.name, siteKey, allowedOrigins: input.allowedOrigins, redaction, policy };
    },
    async getSite(tenantId: string, id: string): Promise<SiteRecord | null> {
      const row = await db.selectFrom('sites').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ? toSite(row) : null;
    },
    async findSiteByKey(siteKey: string): Promise<SiteRecord | null> {
      const row = await db.selectFrom('sites').selectAll().where('site_key', '=', siteKey).executeTakeFirst();
      return row ? toSite(row) : null;
    },
    async updateSite(tenantId: string, siteId: string, patch: { allowedOrigins?: string[]; redaction?: RedactionRules; policy?: SitePolicy }): Promise<void> {
      await db
        .updateTable('sites')
        .set({
          ...(patch.allowedOrigins ? { allowed_origins: JSON.stringify(patch.allowedOrigins) } : {}),
          ...(patch.redaction ? { redaction: JSON.stringify(patch.redaction) } : {}),
          ...(patch.policy ? { policy: JSON.stringify(patch.policy) } : {}),
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', siteId)
        .execute();
    },

    async recordSessionStart(input: { id: string; tenantId: string; siteId: string; visitor?: unknown; e2ee?: boolean }): Promise<void> {
      await db
        .insertInto('sessions')
        .values({ id: input.id, tenant_id: input.tenantId, site_id: input.siteId, started_at: now(), ended_at: null, ended_by: null, end_reason: null, visitor: input.visitor ? JSON.stringify(input.visitor) : null, e2ee: input.e2ee ? 1 : 0 })
        .execute();
    },
    async recordSessionEnd(tenantId: string, id: string, endedBy: string, reason: string): Promise<void> {
      await db.updateTable('sessions').set({ ended_at: now(), ended_by: endedBy, end_reason: reason }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },
    async getSession(tenantId: string, id: string) {
      const row = await db.selectFrom('sessions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row ?? null;
    },
    async recordParticipantJoin(input: { id: string; tenantId: string; sessionId: string; userId: string | null; name: string; role: string }): Promise<void> {
      await db
        .insertInto('session_participants')
        .values({ id: input.id, tenant_id: input.tenantId, session_id: input.sessionId, user_id: input.userId, name: input.name, role: input.role, joined_at: now(), left_at: null })
        .execute();
    },
    async recordParticipantLeave(tenantId: string, id: string): Promise<void> {
      await db.updateTable('session_participants').set({ left_at: now() }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    },

    /** The audit log is append-only: there is no update or delete here. */
    async audit(tenantId: string, actor: AuditActor, action: string, sessionId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
      await db
        .insertInto('audit_log')
        .values({ tenant_id: tenantId, at: now(), actor_type: actor.type, actor_id: actor.id, action, session_id: sessionId, detail: JSON.stringify(detail) })
        .execute();
    },
    async listAudit(tenantId: string, limit = 200) {
      return db.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit).execute();
    },
  };
}

export type Store = ReturnType<typeof createStore>;
