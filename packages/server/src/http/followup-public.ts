/**
 * The visitor's side of "Leave a message", called by the SDK's followup.js from the customer's
 * page (cross-origin): authenticated by the site key and the page's Origin, like the relay's
 * hosts. Bodies are JSON sent as text/plain (a "simple" request: no CORS preflight). Only the
 * holder of a thread's secret (kept in the visitor's localStorage) reads its replies, and a
 * thread left by an identified visitor only while that visitor is identified.
 *
 *   POST /followup/status    { siteKey }                                   → { agentsOnline, redaction, e2ee }
 *   POST /followup/messages  { siteKey, text, name?, email?, identity?, page, snapshot? } → 201 { id, token }
 *   POST /followup/replies   { siteKey, threads: [{ id, token }], identity? } → { threads }
 *   POST /followup/seen      { siteKey, id, token }                        → 204
 *   POST /followup/live      { siteKey, id, token, code }                  → 204
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as v from 'valibot';
import type { ErrorCode } from '@samepage/protocol';
import { RateLimiter } from '../rate-limiter.ts';
import type { SiteRecord } from '../store.ts';
import type { ApiDeps } from './api-deps.ts';
import { sendError } from './errors.ts';
import { followupsOf, webhookMessage } from './followup-routes.ts';
import { MAX_FOLLOWUP_TEXT, publicBodies } from './followup-schemas.ts';
import { isOriginAllowed, requestIp } from './origin.ts';

const HOUR_MS = 3600 * 1000;
/** Messages per site and hour from all addresses together: a flood from many addresses stops here. */
const SITE_PER_HOUR = 1000;
/** Reads (status, replies, seen, live) per address and minute. */
const READS_PER_MINUTE = 120;
const EMAIL = /^[^@\s]{1,100}@[^@\s]{1,100}\.[^@\s]{1,50}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Schema = v.GenericSchema;

/** Decodes the JSON body (text/plain or application/json); null after answering 400. */
function readBody<S extends Schema>(schema: S, request: FastifyRequest, reply: FastifyReply): v.InferOutput<S> | null {
  let raw: unknown = request.body;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      sendError(reply, 'bad_frame', 'The request body is not valid JSON.');
      return null;
    }
  }
  const result = v.safeParse(schema, raw ?? {});
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue?.path?.map((p) => String(p.key)).join('.');
  sendError(reply, 'invalid_request', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`);
  return null;
}

/** The gzip bytes of a base64 snapshot, or the error code that refuses it. */
export function decodeSnapshot(base64: string, maxBytes: number): Buffer | ErrorCode {
  if (Math.floor((base64.length * 3) / 4) > maxBytes + 3) return 'snapshot_too_large';
  if (!BASE64.test(base64) || base64.length % 4 !== 0) return 'snapshot_invalid';
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength > maxBytes) return 'snapshot_too_large';
  // gzip's magic number: what the tab's CompressionStream('gzip') writes. The content stays opaque.
  if (bytes.byteLength < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return 'snapshot_invalid';
  return bytes;
}

/** `https://shop.example/a/b?c` → `https://shop.example/`; '' when it is not a URL. */
function originOf(url: string): string {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? '' : `${origin}/`;
  } catch {
    return '';
  }
}

/** Registers the visitor's endpoints. */
export function registerFollowupPublic(app: FastifyInstance, deps: ApiDeps): void {
  const { config, store, relay } = deps;
  const perAddress = new RateLimiter(config.followupPerHour, HOUR_MS);
  const perSite = new RateLimiter(SITE_PER_HOUR, HOUR_MS);
  const reads = new RateLimiter(READS_PER_MINUTE, 60_000);
  const bodyLimit = Math.ceil((config.followupSnapshotMaxBytes * 4) / 3) + 64 * 1024;

  /** Checks the site key and Origin; sets CORS for the page. Null after answering. */
  const siteOf = async (request: FastifyRequest, reply: FastifyReply, siteKey: string): Promise<SiteRecord | null> => {
    const site = await store.findSiteByKey(siteKey);
    if (!site) return sendError(reply, 'unknown_site_key'), null;
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : null;
    if (!isOriginAllowed(origin, site.allowedOrigins, request.raw, config.trustProxy)) return sendError(reply, 'origin_not_allowed'), null;
    return site;
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/followup/')) return;
    // Errors too must be readable by the page's script; nothing here is secret to the site.
    if (typeof request.headers.origin === 'string') reply.header('access-control-allow-origin', request.headers.origin).header('vary', 'origin');
    reply.header('cache-control', 'no-store');
    if (request.method === 'POST' && request.url !== '/followup/messages' && !reads.hit(requestIp(request.raw, config.trustProxy))) return sendError(reply, 'rate_limited');
  });
  app.options('/followup/*', async (_request, reply) =>
    reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600').code(204).send(),
  );

  app.post('/followup/status', async (request, reply) => {
    const body = readBody(v.object({ siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) }), request, reply);
    const site = body && (await siteOf(request, reply, body.siteKey));
    if (!site) return reply;
    return { agentsOnline: await relay.availability.isOnline(site.tenantId), redaction: site.redaction, e2ee: site.policy.e2ee === true };
  });

  app.post('/followup/messages', { bodyLimit }, async (request, reply) => {
    const body = readBody(publicBodies.message, request, reply);
    const site = body && (await siteOf(request, reply, body.siteKey));
    if (!body || !site) return reply;
    const text = body.text.trim();
    if (!text) return sendError(reply, 'message_empty');
    if (text.length > MAX_FOLLOWUP_TEXT) return sendError(reply, 'message_too_long');
    const email = (body.email ?? body.identity?.email ?? '').trim();
    if (email && !EMAIL.test(email)) return sendError(reply, 'email_invalid');
    // A page snapshot is plaintext DOM on the server: not on end-to-end encrypted sites (docs/SECURITY.md).
    if (body.snapshot && site.policy.e2ee) return sendError(reply, 'e2ee_feature_off', 'Page snapshots are off on end-to-end encrypted sites; send the message without one.');
    const snapshot = body.snapshot ? decodeSnapshot(body.snapshot, config.followupSnapshotMaxBytes) : undefined;
    if (typeof snapshot === 'string') return sendError(reply, snapshot);
    const ip = requestIp(request.raw, config.trustProxy);
    if (!perAddress.hit(`${site.id}|${ip}`) || !perSite.hit(site.id)) return sendError(reply, 'rate_limited', 'Too many messages from here; try again later.');
    const name = (body.name ?? body.identity?.name ?? '').trim() || undefined;
    const visitor = { id: body.identity?.id || undefined, name, email: email || undefined };
    // End-to-end encrypted sites: keep the page's origin only, even from an SDK that sent more (docs/E2EE.md).
    const page = site.policy.e2ee ? { url: originOf(body.page.url), title: '' } : body.page;
    const created = await followupsOf(deps).create({ tenantId: site.tenantId, siteId: site.id, visitor, page, text, snapshot });
    await store.audit(site.tenantId, { type: 'customer', id: visitor.id ?? null }, 'message.received', null, { messageId: created.id, siteId: site.id, snapshotBytes: snapshot?.byteLength ?? null });
    relay.events.emit(site.tenantId, 'message.created', { sessionId: null, followupId: created.id, message: webhookMessage(created.entry, 'host') });
    return reply.code(201).send({ id: created.id, token: created.token });
  });

  app.post('/followup/replies', async (request, reply) => {
    const body = readBody(publicBodies.replies, request, reply);
    const site = body && (await siteOf(request, reply, body.siteKey));
    if (!body || !site) return reply;
    return { threads: await followupsOf(deps).forVisitor(site.id, body.threads, body.identity?.id || undefined) };
  });

  app.post('/followup/seen', async (request, reply) => {
    const body = readBody(publicBodies.seen, request, reply);
    const site = body && (await siteOf(request, reply, body.siteKey));
    if (!body || !site) return reply;
    if (!(await followupsOf(deps).markSeen(site.id, body.id, body.token))) return sendError(reply, 'not_found');
    return reply.code(204).send();
  });

  app.post('/followup/live', async (request, reply) => {
    const body = readBody(publicBodies.live, request, reply);
    const site = body && (await siteOf(request, reply, body.siteKey));
    if (!body || !site) return reply;
    const session = await relay.codes.peek(body.code);
    if (!session || session.tenantId !== site.tenantId) return sendError(reply, 'code_unknown');
    const linked = await followupsOf(deps).setLive(site.id, body.id, body.token, body.code);
    if (!linked) return sendError(reply, 'not_found');
    await store.audit(site.tenantId, { type: 'customer', id: null }, 'message.live_session', session.sessionId, { messageId: body.id });
    return reply.code(204).send();
  });
}
