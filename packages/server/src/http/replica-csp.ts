import type { FastifyInstance } from 'fastify';
import type { Store } from '../store.ts';
import type { Guard } from './require-user.ts';
import { sendError } from './errors.ts';

/** An allowed-origins entry as a CSP source, or null when it cannot be one safely. */
function toCspSource(entry: string): string | null {
  if (entry === 'self') return "'self'";
  // Exact origins and `scheme://*.host[:port]` wildcards only: nothing that could end a directive.
  if (!/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(entry)) return null;
  return entry.toLowerCase();
}

/**
 * The Content-Security-Policy for a replica of a site: the replica may fetch images, styles,
 * fonts and media from the site's allowed origins only, and nothing else at all, so that a
 * hostile page cannot make the agent's browser call an attacker's host (CSS beacons, prefetch,
 * srcset, forms). The console delivers it as a `<meta http-equiv>` in the replica document; it
 * adds to the console's own CSP, which the about:blank replica inherits.
 *
 * @example buildReplicaCsp(['https://shop.example.com', 'self'])
 */
export function buildReplicaCsp(allowedOrigins: readonly string[]): string {
  const sources = [...new Set(allowedOrigins.map(toCspSource).filter((s): s is string => s !== null))];
  const from = sources.length ? sources.join(' ') : "'none'";
  const withInline = (extra: string) => (sources.length ? `${from} ${extra}` : extra);
  return [
    "default-src 'none'",
    `img-src ${withInline('data: blob:')}`,
    // rrweb rebuilds inline <style> elements and style attributes.
    `style-src ${withInline("'unsafe-inline'")}`,
    `font-src ${withInline('data:')}`,
    `media-src ${withInline('data: blob:')}`,
    "script-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

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
