import type { FastifyInstance } from 'fastify';
import type { Store } from '../store.ts';
import type { Guard } from './require-user.ts';
import { sendError } from './errors.ts';
import { buildReplicaCsp } from '@samepage/protocol';

export { buildReplicaCsp };

/** GET /api/sessions/:id/replica-csp: the replica CSP of a session of the caller's tenant. */
export function registerReplicaCspRoute(app: FastifyInstance, guard: Guard, store: Store) {
  app.get('/api/sessions/:id/replica-csp', async (request, reply) => {
    const caller = await guard(request, reply, 'session.view');
    if (!caller) return;
    const { id } = request.params as { id: string };
    const session = await store.getSession(caller.user.tenantId, id);
    const site = session ? await store.getSite(caller.user.tenantId, session.site_id) : null;
    if (!site) return sendError(reply, 'not_found', 'No such session.');
    reply.header('cache-control', 'no-store');
    return { csp: buildReplicaCsp(site.allowedOrigins) };
  });
}
