import { DEFAULT_SITE_POLICY, type SitePolicy } from '../store.ts';
import { purgeTenant } from '../retention.ts';
import { queries, schemas } from './admin-schemas.ts';
import { responses } from './api-schemas.ts';
import { route, type ApiRoute } from './route-table.ts';

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // A leading = + - @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Merges a policy body into a policy; a theme replaces the saved one as a whole, and null removes it. */
function withTheme<T extends Partial<SitePolicy>>(base: T, body: Omit<Partial<SitePolicy>, 'theme'> & { theme?: SitePolicy['theme'] | null }): T {
  const { theme, ...rest } = body;
  const merged: T = { ...base, ...rest };
  if (theme === null) delete merged.theme;
  else if (theme !== undefined) merged.theme = theme;
  return merged;
}

/** Sites, audit, plan and usage, retention. Tenant-scoped, each behind its permission. */
export const tenantRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/sites',
    permission: 'sites.manage',
    tag: 'sites',
    summary: 'List the sites (site keys, allowed origins, redaction, policy)',
    response: responses.sites,
    async handle({ caller, deps }) {
      const rows = await deps.admin.listSites(caller.tenantId);
      const sites = await Promise.all(rows.map((r) => deps.store.getSite(caller.tenantId, r.id)));
      return { sites: sites.filter((s) => s !== null) };
    },
  }),

  route({
    method: 'POST',
    path: '/sites',
    permission: 'sites.manage',
    tag: 'sites',
    summary: 'Create a site; the answer has its site key',
    body: schemas.site,
    response: responses.site,
    status: 201,
    async handle({ caller, deps, body, audit }) {
      const site = await deps.store.createSite({ tenantId: caller.tenantId, name: body.name, allowedOrigins: body.allowedOrigins, redaction: body.redaction, policy: body.policy && withTheme({}, body.policy) });
      await audit('site.create', { siteId: site.id, name: site.name, allowedOrigins: site.allowedOrigins, redaction: site.redaction, policy: site.policy });
      return { site };
    },
  }),

  route({
    method: 'PATCH',
    path: '/sites/:id',
    permission: 'sites.manage',
    tag: 'sites',
    summary: 'Change a site: allowed origins, redaction rules or policy (policy fields merge)',
    body: schemas.sitePatch,
    response: responses.site,
    async handle({ caller, deps, body, params, request, fail, audit }) {
      const id = params.id ?? '';
      const current = await deps.store.getSite(caller.tenantId, id);
      if (!current) return fail('not_found', 'No such site.');
      const allowedOrigins = body.allowedOrigins ?? current.allowedOrigins;
      const policy: SitePolicy = body.policy ? withTheme({ ...DEFAULT_SITE_POLICY, ...current.policy }, body.policy) : { ...DEFAULT_SITE_POLICY, ...current.policy };
      await deps.store.updateSite(caller.tenantId, id, { allowedOrigins, redaction: body.redaction, policy });
      const changed = Object.keys((request.body as object | undefined) ?? {});
      if (changed.includes('redaction')) await audit('site.redaction_update', { siteId: id, before: current.redaction, after: body.redaction });
      if (changed.includes('policy')) await audit('site.policy_update', { siteId: id, before: current.policy, after: policy });
      if (changed.includes('allowedOrigins') || changed.includes('name')) await audit('site.update', { siteId: id, allowedOrigins });
      return { site: await deps.store.getSite(caller.tenantId, id) };
    },
  }),

  route({
    method: 'GET',
    path: '/audit',
    permission: 'audit.view',
    tag: 'audit',
    summary: 'Query the audit log (newest first); format=csv or json downloads it',
    query: queries.audit,
    response: responses.audit,
    async handle({ caller, deps, query, reply }) {
      const entries = await deps.admin.queryAudit(caller.tenantId, {
        action: query.action || undefined,
        actorId: query.actor || undefined,
        sessionId: query.session || undefined,
        from: query.from,
        to: query.to,
        limit: query.limit,
      });
      if (query.format === 'csv') {
        const header = ['id', 'at', 'time', 'tenant', 'actor_type', 'actor_id', 'action', 'session', 'detail'];
        const lines = entries.map((e) => [e.id, e.at, new Date(e.at).toISOString(), e.tenantId, e.actorType, e.actorId, e.action, e.sessionId, e.detail].map(csvCell).join(','));
        reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="samepage-audit.csv"');
        return [header.join(','), ...lines].join('\n') + '\n';
      }
      if (query.format === 'json') reply.header('content-disposition', 'attachment; filename="samepage-audit.json"');
      return { entries };
    },
  }),

  route({
    method: 'GET',
    path: '/usage',
    permission: 'billing.view',
    tag: 'usage',
    summary: 'The plan, seats in use, live sessions and daily/monthly session counts',
    response: responses.usage,
    async handle({ caller, deps }) {
      const { tenantId } = caller;
      const [plan, seatsUsed, usage] = await Promise.all([deps.tenants.getPlan(tenantId), deps.tenants.countActiveAgents(tenantId), deps.tenants.usage(tenantId)]);
      return { plan, seatsUsed, liveSessions: await deps.relay.liveSessionCount(tenantId), daily: usage.daily, monthly: usage.monthly };
    },
  }),

  route({
    method: 'GET',
    path: '/settings/retention',
    permission: 'users.manage',
    tag: 'settings',
    summary: 'Retention settings',
    on: ['console'],
    handle: async ({ caller, deps }) => ({ retention: await deps.tenants.getRetention(caller.tenantId) }),
  }),

  route({
    method: 'PUT',
    path: '/settings/retention',
    permission: 'users.manage',
    tag: 'settings',
    summary: 'Change retention settings',
    body: schemas.retention,
    on: ['console'],
    async handle({ caller, deps, body, audit }) {
      await deps.tenants.setRetention(caller.tenantId, body);
      await audit('settings.retention_update', { retention: body });
      return { retention: body };
    },
  }),

  route({
    method: 'POST',
    path: '/settings/retention/purge',
    permission: 'users.manage',
    tag: 'settings',
    summary: 'Apply retention now',
    on: ['console'],
    handle: async ({ caller, deps }) => ({ deleted: await purgeTenant(caller.tenantId, deps.tenants, deps.admin, deps.store) }),
  }),
];
