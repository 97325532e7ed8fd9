import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { route, type ApiRoute, type RouteContext } from '../http/route-table.ts';
import { publicOrigin } from '../http/session-routes.ts';
import { sharedBrowsers, unavailableReason } from './manager.ts';

const SDK_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sdk/dist');
const pattern = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500));
const patternsSchema = v.object({ allow: v.pipe(v.array(pattern), v.maxLength(200)), block: v.pipe(v.array(pattern), v.maxLength(200)) });

const managerOf = (ctx: RouteContext<unknown, unknown>) => sharedBrowsers(ctx.deps.relay, SDK_DIST);

/** "Open a website": a server-side Chromium streamed as a session (docs/SHARED-BROWSER.md). */
export const sharedBrowserRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/shared-browser',
    permission: 'session.open_url',
    tag: 'shared-browser',
    summary: 'Whether "Open a website" works on this node, and why not',
    handle: async (ctx) => {
      const reason = unavailableReason(ctx.deps.config);
      return { available: reason === null, reason, running: managerOf(ctx).running.size, max: ctx.deps.config.sharedBrowser.max };
    },
  }),

  route({
    method: 'POST',
    path: '/shared-browser',
    permission: 'session.open_url',
    tag: 'shared-browser',
    summary: 'Open a URL in a shared browser; answers the session, a join code and link for agents, and a watch link for the customer',
    body: v.object({ url: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(4096)) }),
    status: 201,
    async handle(ctx) {
      const { caller, deps, body, fail, audit } = ctx;
      const patterns = await deps.tenants.getSharedBrowserPolicy(caller.tenantId);
      // End-to-end encryption and a browser run by the server exclude each other: the server would see everything.
      const ownSite = await deps.store.findSiteByKey(await managerOf(ctx).siteKey(caller.tenantId));
      if (ownSite?.policy.e2ee) return fail('e2ee_feature_off', 'The shared browser runs on the server, which would see the page: it cannot be end-to-end encrypted. Turn end-to-end encryption off for the "Shared browser" site to use it.');
      const opened = await managerOf(ctx).open(caller.tenantId, body.url, patterns);
      if (!opened.ok) {
        await audit('shared_browser.refused', { url: body.url.slice(0, 500), code: opened.code, reason: opened.message });
        return fail(opened.code, opened.message);
      }
      await audit('shared_browser.opened', { url: body.url.slice(0, 500) }, opened.sessionId);
      const origin = publicOrigin(ctx);
      const guest = deps.relay.guestInvites.issue(opened.sessionId, caller.tenantId);
      return {
        sessionId: opened.sessionId,
        code: opened.code,
        joinUrl: `${origin}/console/join/${opened.code}`,
        customerUrl: `${origin}/console/watch/${guest.token}`,
        customerUrlExpiresAt: guest.expiresAt,
      };
    },
  }),

  route({
    method: 'GET',
    path: '/shared-browser/:id/tabs',
    permission: 'session.open_url',
    tag: 'shared-browser',
    summary: 'The tabs of a shared browser; `active` is the one being streamed',
    async handle(ctx) {
      const browser = managerOf(ctx).get(ctx.caller.tenantId, ctx.params.id ?? '');
      if (!browser) return ctx.fail('session_not_found');
      return { tabs: await browser.tabsWithTitles() };
    },
  }),

  route({
    method: 'POST',
    path: '/shared-browser/:id/tabs/:index',
    permission: 'session.open_url',
    tag: 'shared-browser',
    summary: 'Stream another tab of the shared browser (the tab reloads and resumes the session); in a session, whoever is in control switches tabs with the control action `tab`',
    async handle(ctx) {
      const browser = managerOf(ctx).get(ctx.caller.tenantId, ctx.params.id ?? '');
      if (!browser) return ctx.fail('session_not_found');
      if (!(await browser.switchTo(Number(ctx.params.index)))) return ctx.fail('not_found', 'No such tab.');
      await ctx.audit('shared_browser.tab', { index: Number(ctx.params.index) }, browser.sessionId);
      return { tabs: await browser.tabsWithTitles() };
    },
  }),

  route({
    method: 'GET',
    path: '/settings/shared-browser',
    permission: 'users.manage',
    tag: 'settings',
    summary: 'URL patterns the shared browser may (allow) and may not (block) open',
    handle: async ({ caller, deps }) => ({ sharedBrowser: await deps.tenants.getSharedBrowserPolicy(caller.tenantId) }),
  }),

  route({
    method: 'PUT',
    path: '/settings/shared-browser',
    permission: 'users.manage',
    tag: 'settings',
    summary: 'Set the URL patterns (globs; `*` is any run of characters; without `://` a pattern matches the host)',
    body: patternsSchema,
    async handle({ caller, deps, body, audit }) {
      await deps.tenants.setSharedBrowserPolicy(caller.tenantId, body);
      await audit('settings.shared_browser', body);
      return { sharedBrowser: body };
    },
  }),
];

export { SDK_DIST as SHARED_BROWSER_SDK_DIST };
