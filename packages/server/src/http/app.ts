import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Store } from '../store.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerApi } from './api.ts';
import type { ApiStore } from '../api-store.ts';
import { registerReplicaCspRoute } from './replica-csp.ts';
import type { AdminStore } from '../admin-store.ts';
import type { TenantStore } from '../tenant-store.ts';
import { createGuard } from './require-user.ts';
import type { CollabStore } from '../collab-store.ts';
import type { Relay } from '../relay/relay.ts';
import { sendError } from './errors.ts';
import { resolveInside, sendFile } from './static-files.ts';
import { registerStreamTransport } from './stream-transport.ts';
import { registerMetricsRoute } from './metrics.ts';
import { registerFollowupPublic } from './followup-public.ts';
import { registerFrameVerify } from './frame-verify.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const packagesDir = path.resolve(here, '../../..');
export const SDK_DIST = path.join(packagesDir, 'sdk/dist');
export const CONSOLE_DIST = path.join(packagesDir, 'console/dist');
export const DEMO_ROOT = path.join(packagesDir, 'demo/public');

/** The console may run no script but its own, and its replica iframe nothing at all. */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' http: https:",
  'img-src * data: blob:',
  'font-src * data:',
  // Customer videos in the replica; each replica narrows all of these to its site's origins.
  'media-src * data: blob:',
  "connect-src 'self' ws: wss:",
  "frame-src 'self' about:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AppDeps {
  config: Config;
  store: Store;
  collab: CollabStore;
  admin: AdminStore;
  tenants: TenantStore;
  api: ApiStore;
  relay: Relay;
  log: Logger;
  demoSiteKey: string;
}

export function buildApp({ config, store, collab, admin, tenants, api, relay, log, demoSiteKey }: AppDeps): FastifyInstance {
  // Fastify logs each request at info; the relay's own logs are the useful ones.
  const httpLog = log.child({ component: 'http' }, { level: log.level === 'silent' ? 'silent' : 'warn' });
  const app = Fastify({
    loggerInstance: httpLog as unknown as import('fastify').FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    ...(config.tls ? { https: { cert: config.tls.cert, key: config.tls.key } } : {}),
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    // Over TLS (here, or at a trusted proxy): browsers must not fall back to plain HTTP.
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=15552000');
    // Cookies are SameSite=Lax; a custom header is something a cross-site form cannot send.
    // /api/v1 authenticates with a bearer token only, never a cookie, so it needs no CSRF header.
    const tokenApi = request.url.startsWith('/api/v1/');
    if (request.url.startsWith('/api/') && !tokenApi && STATE_CHANGING.has(request.method) && request.headers['x-samepage-csrf'] !== '1') {
      return sendError(reply, 'csrf_failed');
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (error.statusCode === 400 && error instanceof SyntaxError)) {
      return sendError(reply, 'bad_frame', 'The request body is not valid JSON.');
    }
    if (error.statusCode === 413) return sendError(reply, 'frame_too_large', 'The request body is too large.');
    if (error.code?.startsWith('SQLITE_') || /database|sqlite/i.test(error.message)) {
      request.log.error({ err: error }, 'database error');
      return sendError(reply, 'database_unavailable');
    }
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: { code: 'bad_frame', message: error.message } });
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'internal');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  registerStreamTransport(app, { relay, log, maxFrameBytes: config.maxFrameBytes, helloTimeoutMs: config.helloTimeoutMs, maxSockets: config.maxSockets });
  registerMetricsRoute(app, relay);

  registerAuthRoutes(app, config, store);
  const guard = createGuard(store, collab);
  registerApi(app, { config, store, collab, admin, tenants, api, relay }, guard);
  registerFollowupPublic(app, { config, store, collab, admin, tenants, api, relay });
  registerFrameVerify(app, { config, store, admin });
  registerReplicaCspRoute(app, guard, store);

  app.get('/sdk.js', async (_request, reply) => {
    const sent = await sendFile(reply, path.join(SDK_DIST, 'sdk.js'), { cacheControl: 'public, max-age=300', headers: { 'access-control-allow-origin': '*' } });
    if (!sent) return sendError(reply, 'not_found', 'The SDK is not built; run npm run build.');
  });
  // The SHA-384 Subresource Integrity hashes of this build's SDK bundles (docs/SECURITY.md, "Code delivery").
  app.get('/sdk/integrity.json', async (_request, reply) => {
    const sent = await sendFile(reply, path.join(SDK_DIST, 'sri.json'), { cacheControl: 'no-cache', headers: { 'access-control-allow-origin': '*' } });
    if (!sent) return sendError(reply, 'not_found', 'The SDK is not built; run npm run build.');
  });
  app.get('/sdk/*', async (request, reply) => {
    const file = resolveInside(SDK_DIST, (request.params as { '*': string })['*']);
    if (!file || !(await sendFile(reply, file, { cacheControl: 'public, max-age=300', headers: { 'access-control-allow-origin': '*' } }))) return sendError(reply, 'not_found');
  });

  const consoleHeaders = { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY' };
  const serveConsole = async (urlPath: string, reply: import('fastify').FastifyReply) => {
    const file = resolveInside(CONSOLE_DIST, urlPath);
    if (file && path.extname(file) && (await sendFile(reply, file, { headers: consoleHeaders, cacheControl: urlPath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' }))) return;
    if (!(await sendFile(reply, path.join(CONSOLE_DIST, 'index.html'), { headers: consoleHeaders }))) return sendError(reply, 'not_found', 'The console is not built; run npm run build.');
  };
  app.get('/console', async (_request, reply) => reply.redirect('/console/'));
  app.get('/console/*', async (request, reply) => serveConsole((request.params as { '*': string })['*'], reply));

  const demoTransform = (_file: string, body: string) => body.replaceAll('%SAMEPAGE_SITE_KEY%', demoSiteKey);
  app.get('/*', async (request, reply) => {
    let urlPath = (request.params as { '*': string })['*'] || 'index.html';
    if (urlPath.endsWith('/')) urlPath += 'index.html';
    const file = resolveInside(DEMO_ROOT, urlPath);
    if (file && (await sendFile(reply, file, { transform: demoTransform }))) return;
    return sendError(reply, 'not_found');
  });

  return app;
}
