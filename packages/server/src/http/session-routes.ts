import { queries, schemas } from './admin-schemas.ts';
import { responses } from './api-schemas.ts';
import { route, type ApiRoute, type RouteContext } from './route-table.ts';

/** A live session of the caller's tenant on this node, or null. */
function liveSession(ctx: RouteContext<unknown, unknown>) {
  const session = ctx.deps.relay.sessions.get(ctx.params.id ?? '');
  return session && session.tenantId === ctx.caller.tenantId && !session.ended ? session : null;
}

/** The server's public origin, for links: PUBLIC_URL, or the request's own. */
export function publicOrigin(ctx: RouteContext<unknown, unknown>): string {
  return ctx.deps.config.publicUrl ?? `${ctx.request.protocol}://${ctx.request.host}`;
}

/** Live and past sessions of the caller's tenant, with chat and notes. */
export const sessionRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/sessions/live',
    permission: 'session.join_any',
    tag: 'sessions',
    summary: 'Live sessions on every node',
    on: ['console'],
    async handle({ caller, deps }) {
      const live = await deps.relay.clusterRouter.listLive(caller.tenantId);
      const siteNames = new Map<string, string>();
      for (const s of live) if (!siteNames.has(s.siteId)) siteNames.set(s.siteId, (await deps.relay.deps.store.getSite(caller.tenantId, s.siteId))?.name ?? '');
      const sessions = live.map((s) => ({ ...s, siteName: siteNames.get(s.siteId) ?? '' }));
      return { sessions };
    },
  }),

  route({
    method: 'GET',
    path: '/sessions',
    permission: 'session.view',
    tag: 'sessions',
    summary: 'Sessions, newest first; filter by status (live = not ended), site id and start time',
    query: queries.sessions,
    response: responses.sessions,
    handle: async ({ caller, deps, query }) => ({
      sessions: await deps.collab.listSessions(caller.tenantId, query.limit, { status: query.status, siteId: query.site, from: query.from, to: query.to }),
    }),
  }),

  route({
    method: 'GET',
    path: '/sessions/:id',
    permission: 'session.view',
    tag: 'sessions',
    summary: 'One session with its participants, chat and notes; `live` is set while it runs on this node',
    response: responses.session,
    async handle(ctx) {
      const { caller, deps, params, fail } = ctx;
      const id = params.id ?? '';
      const detail = await deps.collab.getSessionDetail(caller.tenantId, id);
      if (!detail) return fail('not_found', 'No such session.');
      const [chat, notes] = await Promise.all([deps.collab.listChat(caller.tenantId, id), deps.collab.listNotes(caller.tenantId, id)]);
      const live = liveSession(ctx);
      return { ...detail, chat, notes, live: live ? { page: live.page, participants: live.participants().map((p) => ({ id: p.id, name: p.name, role: p.role })) } : null };
    },
  }),

  route({
    method: 'POST',
    path: '/sessions/:id/codes',
    permission: 'session.invite',
    tag: 'sessions',
    summary: 'A fresh single-use join code for a live session, and a console link that joins with it',
    response: responses.code,
    status: 201,
    on: ['v1'],
    async handle(ctx) {
      const { caller, deps, params, fail, audit } = ctx;
      const id = params.id ?? '';
      const local = liveSession(ctx);
      const record = local ? null : await deps.relay.cluster.loadSession(id);
      if (!local && record?.tenantId !== caller.tenantId) return fail('session_not_found');
      const { code, expiresAt } = await deps.relay.codes.issue(id, caller.tenantId);
      await audit('session.invite_created', {}, id);
      return { code, expiresAt, joinUrl: `${publicOrigin(ctx)}/console/join/${code}` };
    },
  }),

  route({
    method: 'POST',
    path: '/sessions/:id/end',
    permission: 'session.join_any',
    tag: 'sessions',
    summary: 'End a live session; everyone in it, the customer too, sees it end (endedBy system, reason ended_by_api)',
    response: responses.ended,
    on: ['v1'],
    async handle(ctx) {
      const { caller, deps, params, fail, audit } = ctx;
      const session = liveSession(ctx);
      if (!session) {
        const record = await deps.relay.cluster.loadSession(params.id ?? '');
        if (record?.tenantId === caller.tenantId) return fail('conflict', 'The session runs on another node of the cluster; send the request to that node.');
        return fail('session_not_found');
      }
      await audit('session.end_requested', {}, session.id);
      session.apply({ type: 'system_ended', reason: 'ended_by_api' });
      return { sessionId: session.id, endedBy: 'system', reason: 'ended_by_api' };
    },
  }),

  route({
    method: 'GET',
    path: '/sessions/:id/chat',
    permission: 'session.view',
    tag: 'chat',
    summary: 'The chat of a session, in order',
    response: responses.chat,
    on: ['v1'],
    async handle({ caller, deps, params, fail }) {
      const id = params.id ?? '';
      if (!(await deps.store.getSession(caller.tenantId, id))) return fail('not_found', 'No such session.');
      return { messages: await deps.collab.listChat(caller.tenantId, id) };
    },
  }),

  route({
    method: 'GET',
    path: '/sessions/:id/notes',
    permission: 'session.view',
    tag: 'notes',
    summary: "The agents' notes on a session",
    response: responses.notes,
    on: ['v1'],
    async handle({ caller, deps, params, fail }) {
      const id = params.id ?? '';
      if (!(await deps.store.getSession(caller.tenantId, id))) return fail('not_found', 'No such session.');
      return { notes: await deps.collab.listNotes(caller.tenantId, id) };
    },
  }),

  route({
    method: 'POST',
    path: '/sessions/:id/notes',
    permission: 'session.view',
    tag: 'notes',
    summary: 'Add a note to a session (by a token, the note is signed with the token name)',
    body: schemas.note,
    response: responses.note,
    status: 201,
    async handle({ caller, deps, params, body, fail }) {
      const id = params.id ?? '';
      if (!(await deps.store.getSession(caller.tenantId, id))) return fail('not_found', 'No such session.');
      return { note: await deps.collab.addNote(caller.tenantId, id, { id: caller.id, name: caller.name }, body.text) };
    },
  }),

  route({
    method: 'GET',
    path: '/visitors',
    permission: 'visitors.list',
    tag: 'visitors',
    summary: 'Visitors on the sites right now (tabs with the SDK loaded, on every node)',
    response: responses.visitors,
    on: ['v1'],
    handle: async ({ caller, deps }) => ({ visitors: await deps.relay.visitors.list(caller.tenantId) }),
  }),
];
