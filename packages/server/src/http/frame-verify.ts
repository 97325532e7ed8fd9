/**
 * The server's half of cross-origin frames (docs/SECURITY.md, "Framed pages"). A page that
 * embeds the SDK and is framed by another origin shares its content with the parent's session
 * only after it asked here whether that parent may see it:
 *
 *   POST /frames/verify  { siteKey, parentOrigin }  → 200 { redaction } | 403 frame_parent_not_allowed
 *
 * `parentOrigin` is the origin the browser reported for the parent's message (MessageEvent.origin),
 * never a value the parent claimed. It must be an allowed origin of the framed page's own site,
 * or of another site of the same tenant; the framed page's Origin header must be allowed for its
 * site key, as for every SDK request. The answer carries the redaction rules the framed page
 * applies: its own site's, plus the `redact` and `block` selectors of the tenant's sites that
 * allow the parent (never their `allow` selectors: a parent may add masking, never remove it).
 * Bodies are JSON sent as text/plain, so the request needs no CORS preflight.
 */
import type { FastifyInstance } from 'fastify';
import * as v from 'valibot';
import type { RedactionRules } from '@samepage/protocol';
import { RateLimiter } from '../rate-limiter.ts';
import type { ApiDeps } from './api-deps.ts';
import { sendError } from './errors.ts';
import { INTERNAL_ORIGIN, isOriginAllowed, requestIp } from './origin.ts';

export const FRAME_VERIFY_PATH = '/frames/verify';
/** Checks per address and minute: a page asks once per load (and once more per new parent). */
const CHECKS_PER_MINUTE = 120;

const body = v.object({
  siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  parentOrigin: v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
});

/** An `http(s)://host[:port]` origin exactly as a browser serialises it, or null. */
function canonicalOrigin(raw: string): string | null {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin === raw ? raw : null;
  } catch {
    return null;
  }
}

function parseList(raw: string): string[] {
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function parseRules(raw: string): RedactionRules {
  try {
    const value = JSON.parse(raw) as Partial<Record<keyof RedactionRules, unknown>>;
    const list = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
    return { redact: list(value.redact), block: list(value.block), allow: list(value.allow) };
  } catch {
    return { redact: [], block: [], allow: [] };
  }
}

/** Registers POST /frames/verify. */
export function registerFrameVerify(app: FastifyInstance, deps: Pick<ApiDeps, 'config' | 'store' | 'admin'>): void {
  const { config, store, admin } = deps;
  const checks = new RateLimiter(CHECKS_PER_MINUTE, 60_000);

  app.options(FRAME_VERIFY_PATH, async (_request, reply) =>
    reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'content-type').header('access-control-max-age', '600').code(204).send(),
  );

  app.post(FRAME_VERIFY_PATH, async (request, reply) => {
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : null;
    // Errors too must be readable by the framed page's script; nothing here is secret to the site.
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'origin');
    reply.header('cache-control', 'no-store');
    if (!checks.hit(requestIp(request.raw, config.trustProxy))) return sendError(reply, 'rate_limited');
    let raw: unknown = request.body;
    if (typeof raw === 'string') {
      try {
        raw = JSON.parse(raw);
      } catch {
        return sendError(reply, 'bad_frame', 'The request body is not valid JSON.');
      }
    }
    const parsed = v.safeParse(body, raw ?? {});
    if (!parsed.success) return sendError(reply, 'invalid_request', 'Send { siteKey, parentOrigin }.');
    const site = await store.findSiteByKey(parsed.output.siteKey);
    if (!site) return sendError(reply, 'unknown_site_key');
    if (!isOriginAllowed(origin, site.allowedOrigins, request.raw, config.trustProxy)) return sendError(reply, 'origin_not_allowed');

    const parent = canonicalOrigin(parsed.output.parentOrigin);
    // The shared browser's hidden site matches internal requests, whatever the origin: never a parent.
    const allows = (origins: readonly string[]): boolean =>
      parent !== null && isOriginAllowed(parent, origins.filter((o) => o !== INTERNAL_ORIGIN), request.raw, config.trustProxy);
    const rules: RedactionRules = { redact: [...site.redaction.redact], block: [...site.redaction.block], allow: [...site.redaction.allow] };
    let allowed = allows(site.allowedOrigins);
    for (const row of await admin.listSites(site.tenantId)) {
      if (row.id === site.id || !allows(parseList(row.allowed_origins))) continue;
      allowed = true;
      const theirs = parseRules(row.redaction);
      rules.redact.push(...theirs.redact);
      rules.block.push(...theirs.block);
    }
    if (!allowed) return sendError(reply, 'frame_parent_not_allowed');
    return { redaction: rules };
  });
}
