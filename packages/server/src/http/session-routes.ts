import { queries, schemas } from './admin-schemas.ts';
import { responses } from './api-schemas.ts';
import { route, type ApiRoute, type RouteContext } from './route-table.ts';
import { NodeUnreachable, type NodeAnswer, type NodeQuestions, type SessionLiveView } from '../cluster/node-requests.ts';
import { endByApi, homeSession, liveView } from '../relay/session-actions.ts';

/** A live session of the caller's tenant on this node, or null. */
function liveSession(ctx: RouteContext<unknown, unknown>) {
  return homeSession(ctx.deps.relay, ctx.caller.tenantId, ctx.params.id ?? '');
}

/**
 * For a session of the caller's tenant whose home is another node: asks the home. `not_live` when
 * no node holds the session (never started, ended, or another tenant's); `unreachable` when its
 * home is dead or does not answer in time.
 */
async function askHome<K extends keyof NodeQuestions>(ctx: RouteContext<unknown, unknown>, q: K): Promise<NodeAnswer<K> | 'not_live' | 'unreachable'> {
  const { cluster } = ctx.deps.relay;
  const sid = ctx.params.id ?? '';
  const record = await cluster.loadSession(sid);
  if (!record || record.tenantId !== ctx.caller.tenantId || record.home === cluster.nodeId) return 'not_live';
  try {
    return await cluster.requests.ask(record.home, { q, sid, tenantId: ctx.caller.tenantId } as { q: K } & NodeQuestions[K]['ask']);
  } catch (err) {
    if (err instanceof NodeUnreachable) return 'unreachable';
    throw err;
  }
}

/** The server's public origin, for links: PUBLIC_URL, or the request's own. */
export function publicOrigin(ctx: RouteContext<unknown, unknown>): string {
  return ctx.deps.config.publicUrl ?? `${ctx.request.protocol}://${ctx.request.host}`;
}

/** The session's page and participants, from whichever node holds it; null when none does (or its home is gone). */
async function liveAnywhere(ctx: RouteContext<unknown, unknown>): Promise<SessionLiveView | null> {
  const local = liveSession(ctx);
  if (local) return liveView(local);
  // The stored part of the session is still worth showing when the bus is down.
  const remote = await askHome(ctx, 'session_live').catch((err: unknown) => (ctx.request.log.warn({ err }, 'could not ask the session home'), 'unreachable' as const));
  return typeof remote === 'object' ? remote.live : null;
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
    summary: 'One session with its participants, chat and notes; `live` (its page and who is in it) is set while it runs, on whichever node',
    response: responses.session,
    async handle(ctx) {
      const { caller, deps, params, fail } = ctx;
      const id = params.id ?? '';
      const detail = await deps.collab.getSessionDetail(caller.tenantId, id);
      if (!detail) return fail('not_found', 'No such session.');
      const [chat, notes] = await Promise.all([deps.collab.listChat(caller.tenantId, id), deps.collab.listNotes(caller.tenantId, id)]);
      return { ...detail, chat, notes, live: await liveAnywhere(ctx) };
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
    summary: 'End a live session, on whichever node it runs; everyone in it, the customer too, sees it end (endedBy system, reason ended_by_api)',
    response: responses.ended,
    on: ['v1'],
    async handle(ctx) {
      const { params, fail, audit } = ctx;
      const sid = params.id ?? '';
      const ended = { sessionId: sid, endedBy: 'system', reason: 'ended_by_api' };
      const session = liveSession(ctx);
      if (session) {
        await audit('session.end_requested', {}, sid);
        endByApi(session);
        return ended;
      }
      // Held by another node: its home ends it, with the same code; the entry is written here once it has.
      const remote = await askHome(ctx, 'end_session');
      if (remote === 'unreachable') return fail('session_home_unreachable');
      if (remote === 'not_live' || !remote.ended) return fail('session_not_found');
      await audit('session.end_requested', {}, sid);
      return ended;
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
