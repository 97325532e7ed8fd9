/**
 * The admin HTTP API (users, roles, sites, audit, usage, retention). Same origin, cookie auth,
 * JSON with the CSRF header on every change. Failures carry the server's own message.
 */
import type { SiteTheme } from '@samepage/protocol';
import { t } from '../i18n/index.ts';

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  role: string;
  disabled: boolean;
}

export interface RoleDef {
  key: string;
  title: string;
  permissions: string[];
  builtIn: boolean;
}

export interface SitePolicy {
  controlRoles: string[];
  allowNavigation: boolean;
  allowGuests: boolean;
  recordSessions: boolean;
  allowCustomerStart: boolean;
  /** End-to-end encryption for new sessions (docs/E2EE.md). */
  e2ee: boolean;
  /** The widget theme (absent: Samepage's defaults). */
  theme?: SiteTheme;
}

export interface RedactionRules {
  redact: string[];
  block: string[];
  allow: string[];
}

export interface Site {
  id: string;
  name: string;
  siteKey: string;
  allowedOrigins: string[];
  redaction: RedactionRules;
  policy: SitePolicy;
}

export interface AuditEntry {
  id: number;
  at: number;
  tenantId: string;
  actorType: string;
  actorId: string | null;
  action: string;
  sessionId: string | null;
  detail: unknown;
}

export type Plan = { kind: 'unlimited' } | { kind: 'seats'; limit: number } | { kind: 'capacity'; limit: number };

export interface Usage {
  plan: Plan;
  seatsUsed: number;
  liveSessions: number;
  daily: { day: string; peakConcurrent: number; sessions: number }[];
  monthly: { month: string; sessions: number }[];
}

export interface Retention {
  sessionsDays: number | null;
  chatDays: number | null;
  auditDays: number | null;
  recordingsDays: number | null;
}

/** An API token for /api/v1 (docs/API.md); its secret is shown once, when it is created. */
export interface ApiToken {
  id: string;
  name: string;
  permissions: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type Result<T> = { ok: true; value: T } | { ok: false; status: number; code: string; message: string };

async function request<T>(method: string, path: string, body?: unknown): Promise<Result<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
  } catch {
    return { ok: false, status: 0, code: 'network', message: t.admin.networkError };
  }
  let json: unknown = null;
  if (response.status !== 204) {
    try {
      json = await response.json();
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return {
      ok: false,
      status: response.status,
      code: typeof error?.code === 'string' ? error.code : 'failed',
      message: typeof error?.message === 'string' ? error.message : t.admin.requestFailed(response.status),
    };
  }
  return { ok: true, value: json as T };
}

const pick = <T, K extends keyof T>(result: Result<T>, key: K): Result<T[K]> => (result.ok ? { ok: true, value: result.value[key] } : result);

export const adminApi = {
  users: async () => pick(await request<{ users: AdminUser[] }>('GET', '/api/users'), 'users'),
  createUser: async (body: { email: string; name: string; role: string; password: string }) => pick(await request<{ user: AdminUser }>('POST', '/api/users', body), 'user'),
  updateUser: async (id: string, body: Partial<{ name: string; role: string; disabled: boolean; password: string }>) =>
    pick(await request<{ user: AdminUser }>('PATCH', `/api/users/${encodeURIComponent(id)}`, body), 'user'),

  roles: () => request<{ roles: RoleDef[]; permissions: string[] }>('GET', '/api/roles'),
  createRole: (body: { key: string; title: string; permissions: string[] }) => request<{ role: RoleDef }>('POST', '/api/roles', body),
  updateRole: (key: string, body: { title?: string; permissions?: string[] }) => request<{ role: RoleDef }>('PATCH', `/api/roles/${encodeURIComponent(key)}`, body),
  deleteRole: (key: string) => request<null>('DELETE', `/api/roles/${encodeURIComponent(key)}`),

  sites: async () => pick(await request<{ sites: Site[] }>('GET', '/api/sites'), 'sites'),
  createSite: async (body: { name: string; allowedOrigins: string[] }) => pick(await request<{ site: Site }>('POST', '/api/sites', body), 'site'),
  /** A policy's theme replaces the saved one; null removes it. */
  updateSite: async (id: string, body: Partial<Pick<Site, 'allowedOrigins' | 'redaction'> & { policy: Omit<SitePolicy, 'theme'> & { theme?: SiteTheme | null } }>) =>
    pick(await request<{ site: Site }>('PATCH', `/api/sites/${encodeURIComponent(id)}`, body), 'site'),

  audit: async (query: string) => pick(await request<{ entries: AuditEntry[] }>('GET', `/api/audit?${query}`), 'entries'),
  usage: () => request<Usage>('GET', '/api/usage'),
  retention: async () => pick(await request<{ retention: Retention }>('GET', '/api/settings/retention'), 'retention'),
  saveRetention: async (body: Retention) => pick(await request<{ retention: Retention }>('PUT', '/api/settings/retention', body), 'retention'),
  purge: async () => pick(await request<{ deleted: Record<string, number> }>('POST', '/api/settings/retention/purge'), 'deleted'),
  tokens: async () => pick(await request<{ tokens: ApiToken[] }>('GET', '/api/tokens'), 'tokens'),
  createToken: (body: { name: string; permissions: string[] }) => request<{ token: string; record: ApiToken }>('POST', '/api/tokens', body),
  revokeToken: (id: string) => request<null>('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
};
