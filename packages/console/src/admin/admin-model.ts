/** Pure helpers of the admin pages: which pages a role sees, and form values ↔ API bodies. */
import type { Retention } from './admin-api.ts';

export type AdminPage = 'admin_users' | 'admin_sites' | 'admin_usage' | 'admin_audit' | 'admin_settings' | 'admin_tokens';

/** Each admin page and the permissions that open it (any one of them). The server checks anyway. */
export const ADMIN_PAGES: readonly { page: AdminPage; anyOf: readonly string[] }[] = [
  { page: 'admin_users', anyOf: ['users.manage', 'roles.manage'] },
  { page: 'admin_sites', anyOf: ['sites.manage'] },
  { page: 'admin_usage', anyOf: ['billing.view'] },
  { page: 'admin_audit', anyOf: ['audit.view'] },
  { page: 'admin_settings', anyOf: ['users.manage'] },
  { page: 'admin_tokens', anyOf: ['users.manage'] },
];

export function adminPagesFor(permissions: readonly string[]): AdminPage[] {
  return ADMIN_PAGES.filter((p) => p.anyOf.some((x) => permissions.includes(x))).map((p) => p.page);
}

/** Textarea text → a list: one entry per line, trimmed, blanks dropped. */
export function linesToList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export const listToLines = (list: readonly string[]): string => list.join('\n');

/**
 * The embed snippet a site owner pastes into their pages. With `integrity` (the sdk.js hash from
 * /sdk/integrity.json, for sites with end-to-end encryption) the browser runs only that exact build.
 * With `e2ee` the tab requires encryption and never sends the page's address in the clear (docs/SDK.md).
 */
export function embedSnippet(origin: string, siteKey: string, integrity?: string, e2ee = false): string {
  const base = origin.replace(/\/+$/, '');
  const pin = integrity ? ` integrity="${integrity}" crossorigin="anonymous"` : '';
  return `<script src="${base}/sdk.js"${pin} data-site-key="${siteKey}" data-widget${e2ee ? ' data-e2ee' : ''} async></script>`;
}

export interface AuditFilter {
  action: string;
  actor: string;
  session: string;
  /** yyyy-mm-dd from a date input, or empty. */
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { action: '', actor: '', session: '', from: '', to: '' };

/** A date input's day → epoch ms in local time (start of day, or its last millisecond for `to`). */
function dayToMs(day: string, endOfDay: boolean): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (endOfDay) date.setHours(23, 59, 59, 999);
  return date.getTime();
}

/** The /api/audit query string for a filter (and an export format). */
export function auditQuery(filter: AuditFilter, options: { format?: 'csv' | 'json'; limit?: number } = {}): string {
  const params = new URLSearchParams();
  if (filter.action.trim()) params.set('action', filter.action.trim());
  if (filter.actor.trim()) params.set('actor', filter.actor.trim());
  if (filter.session.trim()) params.set('session', filter.session.trim());
  const from = dayToMs(filter.from, false);
  const to = dayToMs(filter.to, true);
  if (from !== null) params.set('from', String(from));
  if (to !== null) params.set('to', String(to));
  if (options.limit) params.set('limit', String(options.limit));
  if (options.format) params.set('format', options.format);
  return params.toString();
}

export type RetentionForm = Record<keyof Retention, string>;

export const RETENTION_KEYS: readonly (keyof Retention)[] = ['sessionsDays', 'chatDays', 'auditDays', 'recordingsDays'];

export function retentionToForm(r: Retention): RetentionForm {
  const text = (n: number | null) => (n === null ? '' : String(n));
  return { sessionsDays: text(r.sessionsDays), chatDays: text(r.chatDays), auditDays: text(r.auditDays), recordingsDays: text(r.recordingsDays) };
}

/** Form → API body; empty means keep forever. Returns the first bad field when one is not 1-3650. */
export function formToRetention(form: RetentionForm): { ok: true; value: Retention } | { ok: false; field: keyof Retention } {
  const out: Partial<Retention> = {};
  for (const key of RETENTION_KEYS) {
    const raw = form[key].trim();
    if (raw === '') {
      out[key] = null;
      continue;
    }
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 3650) return { ok: false, field: key };
    out[key] = n;
  }
  return { ok: true, value: out as Retention };
}

/** A meter's fraction, clamped to 0..1 (0 when there is no limit). */
export function fraction(used: number, limit: number | undefined): number {
  if (!limit || limit <= 0) return 0;
  return Math.max(0, Math.min(1, used / limit));
}
