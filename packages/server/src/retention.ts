import type { Logger } from 'pino';
import type { AdminStore } from './admin-store.ts';
import type { Store } from './store.ts';
import type { TenantStore } from './tenant-store.ts';
import { createFollowupStore } from './followup-store.ts';

const DAY_MS = 24 * 3600 * 1000;

/** Deletes one tenant's data that is older than its retention settings allow, and audits it. */
export async function purgeTenant(tenantId: string, tenants: TenantStore, admin: AdminStore, store: Store, now = Date.now()) {
  const r = await tenants.getRetention(tenantId);
  const cutoff = (days: number | null) => (days === null ? undefined : now - days * DAY_MS);
  const purged = await admin.purge(tenantId, { sessions: cutoff(r.sessionsDays), chat: cutoff(r.chatDays), audit: cutoff(r.auditDays), recordings: cutoff(r.recordingsDays) });
  // Left messages ("Leave a message") are chat: they follow the chat retention.
  const chatCutoff = cutoff(r.chatDays);
  const deleted = { ...purged, messages: chatCutoff === undefined ? 0 : await createFollowupStore(store.db).purgeBefore(tenantId, chatCutoff) };
  const total = Object.values(deleted).reduce((a, b) => a + b, 0);
  if (total > 0) await store.audit(tenantId, { type: 'system', id: null }, 'retention.purge', null, { deleted });
  return deleted;
}

/** Runs the purge for every tenant now and then every `intervalMs`. */
export function startPurgeJob(deps: { tenants: TenantStore; admin: AdminStore; store: Store; log: Logger }, intervalMs: number): () => void {
  const run = async () => {
    try {
      for (const t of await deps.tenants.listTenants()) await purgeTenant(t.id, deps.tenants, deps.admin, deps.store);
    } catch (err) {
      deps.log.error({ err }, 'retention purge failed');
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
