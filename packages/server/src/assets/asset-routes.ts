/**
 * HTTP routes of the asset proxy (docs/SECURITY.md, "Asset proxy"):
 * - GET  /api/sessions/:id/asset-token  a console agent in the session gets a short-lived token;
 * - GET  /assets/proxy?t=&u=            the replica loads an asset with it;
 * - POST /assets/session/manifest       the customer's tab announces the assets it will upload;
 * - POST /assets/session/asset          and uploads one (bytes only, size-capped).
 * The upload routes are not under /api/: they are called cross-origin by the SDK and
 * authenticated by the session's resume token, which only the customer's tab holds.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Store } from '../store.ts';
import type { CollabStore } from '../collab-store.ts';
import type { Relay } from '../relay/relay.ts';
import { createGuard } from '../http/require-user.ts';
import { sendError } from '../http/errors.ts';
import { isOriginAllowed } from '../http/origin.ts';
import { metricsRegistryOf } from '../http/metrics.ts';
import { safeEqual } from '../ids.ts';
import { ASSET_PROXY_PATH, AssetProxy, type ProxyAnswer, type SessionLookup } from './asset-proxy.ts';
import type { Resolve } from './asset-fetch.ts';
import { assetContentType } from './content-type.ts';
import { MAX_ANNOUNCED_URLS } from './session-assets.ts';

export interface AssetRouteDeps {
  config: Config;
  store: Store;
  collab: CollabStore;
  relay: Relay;
  log: Logger;
  /** Tests map host names to addresses; DNS otherwise. */
  resolve?: Resolve;
}

/** Headers of every proxied asset: its checked type, never sniffed, never a document. */
const ASSET_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox",
  'cross-origin-resource-policy': 'cross-origin',
  // Fonts need CORS when the replica's origin is opaque; no credentials are ever involved.
  'access-control-allow-origin': '*',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, max-age=300',
};

const UPLOAD_HEADERS = 'content-type, x-samepage-session, x-samepage-key, x-samepage-asset-url';
const SWEEP_MS = 60_000;

function sessionLookup(store: Store, relay: Relay): SessionLookup {
  return async (tenantId, sessionId) => {
    const local = relay.sessions.get(sessionId);
    if (local && local.tenantId === tenantId) return { siteOrigins: local.policy.navigationOrigins, live: !local.ended, e2ee: local.e2ee !== null };
    // The session lives on another node (REDIS_URL): the database knows its site and whether it ended.
    const row = await store.getSession(tenantId, sessionId);
    if (!row) return null;
    const site = await store.getSite(tenantId, row.site_id);
    return site ? { siteOrigins: site.allowedOrigins, live: row.ended_at === null, e2ee: row.e2ee === 1 } : null;
  };
}

function sendAnswer(reply: FastifyReply, answer: ProxyAnswer): FastifyReply {
  if (answer.kind === 'redirect') return reply.code(307).header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(answer.location, 307);
  if (answer.kind === 'error') return sendError(reply.header('access-control-allow-origin', '*'), answer.code, answer.message);
  reply.headers(ASSET_HEADERS).header('content-type', answer.contentType).header('x-samepage-asset-source', answer.source);
  return reply.code(200).send(answer.body);
}

/**
 * Registers the proxy's routes and returns the proxy (its stats go to /metrics and tests).
 *
 * @example const proxy = registerAssetRoutes(app, { config, store, collab, relay, log });
 */
export function registerAssetRoutes(app: FastifyInstance, deps: AssetRouteDeps): AssetProxy {
  const { config, store, relay } = deps;
  const proxy = new AssetProxy(config.assets, sessionLookup(store, relay), deps.resolve ? { resolve: deps.resolve } : {});
  const guard = createGuard(store, deps.collab);
  const log = deps.log.child({ component: 'asset-proxy' });

  // Uploads of sessions that ended on this node go (the LRU would drop them later anyway).
  const sweep = setInterval(() => {
    for (const id of proxy.uploads.sessionIds()) if (!relay.sessions.get(id) || relay.sessions.get(id)?.ended) proxy.uploads.forget(id);
  }, SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  app.get('/api/sessions/:id/asset-token', async (request, reply) => {
    const caller = await guard(request, reply, 'session.view');
    if (!caller) return reply;
    reply.header('cache-control', 'no-store');
    if (!config.assets.enabled) return { enabled: false };
    const { id } = request.params as { id: string };
    const tenantId = caller.user.tenantId;
    // Only an agent who joined this session (here, or on another node) gets a token for it.
    const local = relay.sessions.get(id);
    const member = local && local.tenantId === tenantId && !local.ended ? local.formerAgents.has(caller.user.id) : await isRemoteMember(relay, tenantId, id, caller.user.id);
    if (!member) return sendError(reply, 'session_not_found');
    return { enabled: true, path: ASSET_PROXY_PATH, ...proxy.issueToken(tenantId, id) };
  });

  app.get(ASSET_PROXY_PATH, async (request, reply) => {
    if (!config.assets.enabled) return sendError(reply, 'not_found');
    const query = request.query as { t?: string; u?: string };
    const grant = typeof query.t === 'string' ? proxy.verifyToken(query.t) : null;
    if (!grant) return sendError(reply.header('access-control-allow-origin', '*'), 'asset_token_invalid');
    let url: URL;
    try {
      url = new URL(typeof query.u === 'string' ? query.u : '');
    } catch {
      return sendError(reply, 'invalid_request', 'u must be an absolute URL.');
    }
    const answer = await proxy.serve(grant, query.t!, url);
    if (answer.kind !== 'asset') log.debug({ sessionId: grant.sessionId, host: url.host, answer: answer.kind === 'error' ? answer.code : 'redirect' }, 'asset not served');
    return sendAnswer(reply, answer);
  });

  registerUploadRoutes(app, deps, proxy);
  const registry = metricsRegistryOf(app);
  if (registry) registerAssetMetrics(registry, proxy);
  return proxy;
}

async function isRemoteMember(relay: Relay, tenantId: string, sessionId: string, userId: string): Promise<boolean> {
  const record = await relay.cluster.loadSession(sessionId).catch(() => null);
  return !!record && record.tenantId === tenantId && record.formerAgents.includes(userId);
}

/** The customer's tab, by its session id and resume token, from an allowed origin of the site. */
function uploader(request: FastifyRequest, deps: AssetRouteDeps): { sessionId: string; origin: string; e2ee: boolean } | null {
  const sessionId = request.headers['x-samepage-session'];
  const key = request.headers['x-samepage-key'];
  const origin = request.headers.origin;
  if (typeof sessionId !== 'string' || typeof key !== 'string' || typeof origin !== 'string') return null;
  const session = deps.relay.sessions.get(sessionId);
  if (!session || session.ended || !safeEqual(session.resumeToken, key)) return null;
  if (!isOriginAllowed(origin, session.policy.navigationOrigins, request.raw, deps.config.trustProxy)) return null;
  return { sessionId, origin, e2ee: session.e2ee !== null };
}

/** Encrypted sessions carry their assets sealed in the DOM stream: the server takes no bytes (docs/E2EE.md, "Assets"). */
const E2EE_UPLOAD_REFUSED = 'This session is end-to-end encrypted: its assets travel inside the encrypted stream, and the server accepts no upload of them.';

/** Only assets of the page's own origin: those the tab fetched with its credentials. */
function sameOriginUrl(raw: unknown, origin: string): string | null {
  if (typeof raw !== 'string' || raw.length > 4096) return null;
  try {
    const url = new URL(raw);
    return url.origin === origin ? url.href : null;
  } catch {
    return null;
  }
}

function registerUploadRoutes(app: FastifyInstance, deps: AssetRouteDeps, proxy: AssetProxy): void {
  const limits = deps.config.assets;
  const cors = (request: FastifyRequest, reply: FastifyReply) =>
    reply
      .header('access-control-allow-origin', typeof request.headers.origin === 'string' ? request.headers.origin : 'null')
      .header('vary', 'origin')
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', UPLOAD_HEADERS)
      .header('access-control-max-age', '600');

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limits.maxAssetBytes }, (_req, body, done) => done(null, body));
    for (const path of ['/assets/session/manifest', '/assets/session/asset']) scope.options(path, async (request, reply) => cors(request, reply).code(204).send());

    scope.post('/assets/session/manifest', { bodyLimit: 512 * 1024 }, async (request, reply) => {
      cors(request, reply);
      if (!limits.enabled) return sendError(reply, 'not_found');
      const who = uploader(request, deps);
      if (!who) return sendError(reply, 'forbidden', 'Not the customer of a live session.');
      if (who.e2ee) return sendError(reply, 'e2ee_feature_off', E2EE_UPLOAD_REFUSED);
      let urls: unknown;
      try {
        urls = (JSON.parse((request.body as Buffer).toString('utf8')) as { urls?: unknown }).urls;
      } catch {
        return sendError(reply, 'invalid_request', 'The manifest is JSON: { "urls": [...] }.');
      }
      if (!Array.isArray(urls)) return sendError(reply, 'invalid_request', 'urls must be a list.');
      const accepted = urls.slice(0, MAX_ANNOUNCED_URLS).map((u) => sameOriginUrl(u, who.origin)).filter((u): u is string => u !== null);
      proxy.uploads.announce(who.sessionId, accepted);
      return { accepted: accepted.length };
    });

    scope.post('/assets/session/asset', async (request, reply) => {
      cors(request, reply);
      if (!limits.enabled) return sendError(reply, 'not_found');
      const who = uploader(request, deps);
      if (!who) return sendError(reply, 'forbidden', 'Not the customer of a live session.');
      if (who.e2ee) return sendError(reply, 'e2ee_feature_off', E2EE_UPLOAD_REFUSED);
      const url = sameOriginUrl(request.headers['x-samepage-asset-url'], who.origin);
      if (!url) return sendError(reply, 'asset_not_allowed', 'Only assets of the page’s own origin are accepted.');
      const body = request.body as Buffer;
      const type = assetContentType(request.headers['content-type'], body);
      if (!type) return sendError(reply, 'asset_type_refused');
      if (!proxy.uploads.store(who.sessionId, url, body, type)) return sendError(reply, 'asset_too_large', 'This session has uploaded as many asset bytes as the server accepts.');
      return reply.code(204).send();
    });
  });
}

/** The proxy's cache and counters on /metrics. */
export function registerAssetMetrics(registry: Registry, proxy: AssetProxy): void {
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('samepage_asset_cache_bytes', 'Bytes held by the asset proxy cache (LRU).', () => proxy.stats().bytes);
  gauge('samepage_asset_cache_bytes_limit', 'ASSET_CACHE_BYTES: the cache evicts past this.', () => proxy.stats().maxBytes);
  gauge('samepage_asset_cache_entries', 'Assets in the asset proxy cache.', () => proxy.stats().entries);
  gauge('samepage_asset_cache_evictions', 'Assets evicted from the cache since start.', () => proxy.stats().evictions);
  gauge('samepage_asset_fetches', 'Assets fetched from sites by the proxy since start.', () => proxy.stats().fetches);
  gauge('samepage_asset_refused', 'Proxy requests refused (host not allowed, private address, too large, type) since start.', () => proxy.stats().refused);
  gauge('samepage_asset_customer_served', "Assets served from what customers' tabs uploaded, since start.", () => proxy.stats().customerAssets);
}
