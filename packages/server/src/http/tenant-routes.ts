import type { FastifyInstance } from 'fastify';
import type { AdminStore } from '../admin-store.ts';
import type { Store } from '../store.ts';
import { DEFAULT_SITE_POLICY } from '../store.ts';
import type { TenantStore } from '../tenant-store.ts';
import type { Relay } from '../relay/relay.ts';
import { purgeTenant } from '../retention.ts';
import { sendError } from './errors.ts';
import type { Caller, Guard } from './require-user.ts';
import { parseBody, schemas } from './admin-schemas.ts';

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Sites, audit, plan and usage, retention. Tenant-scoped, each behind its permission. */
export function registerTenantRoutes(app: FastifyInstance, deps: { guard: Guard; store: Store; admin: AdminStore; tenants: TenantStore; relay: Relay }) {
  const { guard, store, admin, tenants, relay } = deps;
  const audit = (caller: Caller, action: string, detail: Record<string, unknown>) => store.audit(caller.user.tenantId, { type: 'user', id: caller.user.id }, action, null, detail);

  app.get('/api/sites', async (request, reply) => {
    const caller = await guard(request, reply, 'sites.manage');
    if (!caller) return;
    const rows = await admin.listSites(caller.user.tenantId);
    const sites = await Promise.all(rows.map((r) => store.getSite(caller.user.tenantId, r.id)));
    return { sites: sites.filter((s) => s !== null) };
  });

  app.post('/api/sites', async (request, reply) => {
    const caller = await guard(request, reply, 'sites.manage');
    if (!caller) return;
    const body = parseBody(schemas.site, request.body, reply);
    if (!body) return;
    const site = await store.createSite({ tenantId: caller.user.tenantId, name: body.name, allowedOrigins: body.allowedOrigins, redaction: body.redaction, policy: body.policy });
    await audit(caller, 'site.create', { siteId: site.id, name: site.name, allowedOrigins: site.allowedOrigins, redaction: site.redaction, policy: site.policy });
    return reply.code(201).send({ site });
  });

  app.patch('/api/sites/:id', async (request, reply) => {
    const caller = await guard(request, reply, 'sites.manage');
    if (!caller) return;
    const { id } = request.params as { id: string };
    const current = await store.getSite(caller.user.tenantId, id);
    if (!current) return sendError(reply, 'not_found', 'No such site.');
    const body = parseBody(schemas.site, { name: current.name, allowedOrigins: current.allowedOrigins, ...(request.body as object) }, reply);
    if (!body) return;
    const policy = { ...DEFAULT_SITE_POLICY, ...current.policy, ...body.policy };
    await store.updateSite(caller.user.tenantId, id, { allowedOrigins: body.allowedOrigins, redaction: body.redaction, policy });
    const changed = Object.keys(request.body as object);
    if (changed.includes('redaction')) await audit(caller, 'site.redaction_update', { siteId: id, before: current.redaction, after: body.redaction });
    if (changed.includes('policy')) await audit(caller, 'site.policy_update', { siteId: id, before: current.policy, after: policy });
    if (changed.includes('allowedOrigins') || changed.includes('name')) await audit(caller, 'site.update', { siteId: id, allowedOrigins: body.allowedOrigins });
    return { site: await store.getSite(caller.user.tenantId, id) };
  });

  app.get('/api/audit', async (request, reply) => {
    const caller = await guard(request, reply, 'audit.view');
    if (!caller) return;
    const q = request.query as Record<string, string | undefined>;
    const num = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : undefined);
    const entries = await admin.queryAudit(caller.user.tenantId, {
      action: q.action || undefined,
      actorId: q.actor || undefined,
      sessionId: q.session || undefined,
      from: num(q.from),
      to: num(q.to),
      limit: Math.min(num(q.limit) ?? 500, 10_000),
    });
    if (q.format === 'csv') {
      const header = ['id', 'at', 'time', 'tenant', 'actor_type', 'actor_id', 'action', 'session', 'detail'];
      const lines = entries.map((e) => [e.id, e.at, new Date(e.at).toISOString(), e.tenantId, e.actorType, e.actorId, e.action, e.sessionId, e.detail].map(csvCell).join(','));
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="samepage-audit.csv"');
      return [header.join(','), ...lines].join('\n') + '\n';
    }
    if (q.format === 'json') reply.header('content-disposition', 'attachment; filename="samepage-audit.json"');
    return { entries };
  });

  app.get('/api/usage', async (request, reply) => {
    const caller = await guard(request, reply, 'billing.view');
    if (!caller) return;
    const tenantId = caller.user.tenantId;
    const [plan, seatsUsed, usage] = await Promise.all([tenants.getPlan(tenantId), tenants.countActiveAgents(tenantId), tenants.usage(tenantId)]);
    const liveSessions = [...relay.sessions.values()].filter((s) => s.tenantId === tenantId && !s.ended).length;
    return { plan, seatsUsed, liveSessions, daily: usage.daily, monthly: usage.monthly };
  });

  app.get('/api/settings/retention', async (request, reply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return;
    return { retention: await tenants.getRetention(caller.user.tenantId) };
  });

  app.put('/api/settings/retention', async (request, reply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return;
    const body = parseBody(schemas.retention, request.body, reply);
    if (!body) return;
    await tenants.setRetention(caller.user.tenantId, body);
    await audit(caller, 'settings.retention_update', { retention: body });
    return { retention: body };
  });

  app.post('/api/settings/retention/purge', async (request, reply) => {
    const caller = await guard(request, reply, 'users.manage');
    if (!caller) return;
    const deleted = await purgeTenant(caller.user.tenantId, tenants, admin, store);
    return { deleted };
  });
}
