import { gunzipSync } from 'node:zlib';
import * as v from 'valibot';
import { createFollowupStore, type FollowupEntry } from '../followup-store.ts';
import type { ApiDeps } from './api-deps.ts';
import { inboxBodies, inboxQuery, inboxResponses } from './followup-schemas.ts';
import { route, type ApiRoute, type RouteContext } from './route-table.ts';

const stores = new WeakMap<object, ReturnType<typeof createFollowupStore>>();
/** The follow-up store of this server's database (one per database, made on first use). */
export function followupsOf(deps: ApiDeps) {
  let store = stores.get(deps.store.db);
  if (!store) stores.set(deps.store.db, (store = createFollowupStore(deps.store.db)));
  return store;
}

/** A follow-up entry as the `message.created` webhook carries it (like a chat message; seq is 0). */
export function webhookMessage(entry: FollowupEntry, role: 'host' | 'agent') {
  return { id: entry.id, seq: 0, from: { participantId: entry.userId ?? 'visitor', name: entry.authorName, role }, text: entry.text, at: entry.at };
}

async function addEntry(ctx: RouteContext<{ text: string }, unknown>, kind: 'reply' | 'note') {
  const { caller, deps, params, body, fail, audit } = ctx;
  const id = params.id ?? '';
  const entry = await followupsOf(deps).addEntry(caller.tenantId, id, kind, { id: caller.id, name: caller.name }, body.text);
  if (!entry) return fail('not_found', 'No such message.');
  await audit(kind === 'reply' ? 'message.reply' : 'message.note', { messageId: id, entryId: entry.id });
  if (kind === 'reply') deps.relay.events.emit(caller.tenantId, 'message.created', { sessionId: null, followupId: id, message: webhookMessage(entry, 'agent') });
  return { entry };
}

/** The inbox of "Leave a message": what visitors wrote while no agent was online, replies and notes. */
export const followupRoutes: ApiRoute[] = [
  route({
    method: 'GET',
    path: '/messages',
    permission: 'messages.view',
    tag: 'messages',
    summary: 'Messages left by visitors while no agent was online, latest activity first; status unread (no agent opened it) or open (not replied)',
    query: inboxQuery,
    response: inboxResponses.messages,
    async handle({ caller, deps, query }) {
      const store = followupsOf(deps);
      const [messages, unread] = await Promise.all([store.list(caller.tenantId, { status: query.status, limit: query.limit }), store.countUnread(caller.tenantId)]);
      return { messages, unread };
    },
  }),

  route({
    method: 'GET',
    path: '/messages/unread',
    permission: 'messages.view',
    tag: 'messages',
    summary: 'How many messages no agent has opened yet (the console’s inbox badge)',
    response: inboxResponses.unread,
    handle: async ({ caller, deps }) => ({ unread: await followupsOf(deps).countUnread(caller.tenantId) }),
  }),

  route({
    method: 'GET',
    path: '/messages/:id',
    permission: 'messages.view',
    tag: 'messages',
    summary: 'One message with its replies and agents’ notes; opening it by a console user marks it read',
    response: inboxResponses.message,
    async handle({ caller, deps, params, fail, audit }) {
      const id = params.id ?? '';
      const store = followupsOf(deps);
      const found = await store.get(caller.tenantId, id);
      if (!found) return fail('not_found', 'No such message.');
      if (caller.kind === 'user' && found.message.readAt === null) {
        await store.markRead(caller.tenantId, id);
        await audit('message.read', { messageId: id });
      }
      const site = await deps.store.getSite(caller.tenantId, found.message.siteId);
      return { ...found, allowedOrigins: site?.allowedOrigins ?? [] };
    },
  }),

  route({
    method: 'GET',
    path: '/messages/:id/snapshot',
    permission: 'messages.view',
    tag: 'messages',
    summary: 'The page snapshot the visitor attached: rrweb events (Meta and FullSnapshot), redacted in the visitor’s tab; gzipped for clients that accept it',
    response: v.array(v.object({ type: v.number(), timestamp: v.number(), data: v.unknown() })),
    async handle({ caller, deps, params, fail, audit, request, reply }) {
      const id = params.id ?? '';
      const bytes = await followupsOf(deps).snapshot(caller.tenantId, id);
      if (!bytes) return fail('not_found', 'This message has no snapshot.');
      await audit('message.snapshot_view', { messageId: id });
      reply.type('application/json; charset=utf-8').header('cache-control', 'no-store').header('vary', 'accept-encoding');
      // Stored as the tab compressed it; never parsed here.
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(bytes);
      return reply.send(gunzipSync(bytes));
    },
  }),

  route({
    method: 'POST',
    path: '/messages/:id/replies',
    permission: 'messages.reply',
    tag: 'messages',
    summary: 'Reply to a message; the visitor sees it in the widget on their next visit (also fires message.created)',
    body: inboxBodies.entry,
    response: inboxResponses.entry,
    status: 201,
    handle: (ctx) => addEntry(ctx, 'reply'),
  }),

  route({
    method: 'POST',
    path: '/messages/:id/notes',
    permission: 'messages.view',
    tag: 'messages',
    summary: 'Add an agents-only note to a message (never shown to the visitor)',
    body: inboxBodies.entry,
    response: inboxResponses.entry,
    status: 201,
    handle: (ctx) => addEntry(ctx, 'note'),
  }),
];
