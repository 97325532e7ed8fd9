import type { FastifyInstance } from 'fastify';
import type { CollabStore } from '../collab-store.ts';
import type { Relay } from '../relay/relay.ts';
import type { Guard } from './require-user.ts';
import { sendError } from './errors.ts';

const MAX_NOTE = 10_000;

/** Live and past sessions of the caller's tenant, with chat and notes. */
export function registerSessionRoutes(app: FastifyInstance, guard: Guard, collab: CollabStore, relay: Relay) {
  app.get('/api/sessions/live', async (request, reply) => {
    const caller = await guard(request, reply, 'session.join_any');
    if (!caller) return;
    const sessions = [...relay.sessions.values()]
      .filter((s) => s.tenantId === caller.user.tenantId && !s.ended)
      .map((s) => ({
        id: s.id,
        siteId: s.siteId,
        startedAt: s.startedAt,
        page: s.page,
        visitor: s.visitor ?? null,
        participants: s.participants().map((p) => ({ name: p.name, role: p.role, title: p.title ?? null })),
      }));
    return { sessions };
  });

  app.get('/api/sessions', async (request, reply) => {
    const caller = await guard(request, reply, 'session.view');
    if (!caller) return;
    const raw = Number((request.query as { limit?: string }).limit ?? 50);
    const limit = Number.isFinite(raw) ? Math.min(Math.max(Math.trunc(raw), 1), 500) : 50;
    return { sessions: await collab.listSessions(caller.user.tenantId, limit) };
  });

  app.get('/api/sessions/:id', async (request, reply) => {
    const caller = await guard(request, reply, 'session.view');
    if (!caller) return;
    const { id } = request.params as { id: string };
    const detail = await collab.getSessionDetail(caller.user.tenantId, id);
    if (!detail) return sendError(reply, 'not_found', 'No such session.');
    const [chat, notes] = await Promise.all([collab.listChat(caller.user.tenantId, id), collab.listNotes(caller.user.tenantId, id)]);
    return { ...detail, chat, notes };
  });

  app.post('/api/sessions/:id/notes', async (request, reply) => {
    const caller = await guard(request, reply, 'session.view');
    if (!caller) return;
    const { id } = request.params as { id: string };
    const text = (request.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || !text.trim() || text.length > MAX_NOTE) return sendError(reply, 'bad_frame', `A note is 1 to ${MAX_NOTE} characters of text.`);
    const detail = await collab.getSessionDetail(caller.user.tenantId, id);
    if (!detail) return sendError(reply, 'not_found', 'No such session.');
    const note = await collab.addNote(caller.user.tenantId, id, { id: caller.user.id, name: caller.user.name }, text.trim());
    return reply.code(201).send({ note });
  });
}
