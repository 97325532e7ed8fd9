import type { IncomingMessage } from 'node:http';

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** The first value of a header that a proxy may have sent as a comma-separated list. */
function firstForwarded(value: string | string[] | undefined): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  const first = raw?.split(',')[0]?.trim();
  return first ? first : null;
}

/**
 * The host the client asked for. Behind a trusted reverse proxy (TRUST_PROXY) that is
 * X-Forwarded-Host; otherwise only Host counts, because anyone can send X-Forwarded-Host.
 */
export function requestHost(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = firstForwarded(req.headers['x-forwarded-host']);
    if (forwarded) return forwarded;
  }
  return typeof req.headers.host === 'string' ? req.headers.host : null;
}

/** `https` or `http` as the client sees it: TLS here, or X-Forwarded-Proto from a trusted proxy. */
export function requestProtocol(req: IncomingMessage, tls: boolean, trustProxy: boolean): 'http' | 'https' {
  if (trustProxy) {
    const forwarded = firstForwarded(req.headers['x-forwarded-proto'])?.toLowerCase();
    if (forwarded === 'https' || forwarded === 'http') return forwarded;
  }
  return tls ? 'https' : 'http';
}

/** The client's address: X-Forwarded-For's first hop from a trusted proxy, else the socket's. */
export function requestIp(req: IncomingMessage, trustProxy: boolean): string {
  return (trustProxy ? firstForwarded(req.headers['x-forwarded-for']) : null) ?? req.socket.remoteAddress ?? 'unknown';
}

/** True when the Origin header names this server itself (the console and the demo shop). */
export function isSameOrigin(origin: string, req: IncomingMessage, trustProxy = false): boolean {
  const host = requestHost(req, trustProxy);
  return host !== null && hostOf(origin) === host;
}

/** Set only on the in-process request of a shared browser's page (shared-browser/bridge.ts): no client can send it. */
export const INTERNAL_REQUEST = Symbol('samepage.internal-request');
/** The allowed-origins entry of the hidden "Shared browser" site; it matches nothing from the network. */
export const INTERNAL_ORIGIN = 'internal:shared-browser';

/**
 * Checks a site's allowed origins. Entries are exact origins (`https://shop.example.com`),
 * wildcard subdomains (`https://*.example.com`), or `self` for this server's own origin.
 */
export function isOriginAllowed(origin: string | null, allowed: readonly string[], req: IncomingMessage, trustProxy = false): boolean {
  if (!origin || origin === 'null') return false;
  for (const entry of allowed) {
    if (entry === INTERNAL_ORIGIN) {
      if ((req as { [INTERNAL_REQUEST]?: boolean })[INTERNAL_REQUEST] === true) return true;
    } else if (entry === 'self') {
      if (isSameOrigin(origin, req, trustProxy)) return true;
    } else if (entry.includes('*.')) {
      const [scheme, rest] = entry.split('://');
      const suffix = rest?.replace(/^\*\./, '.');
      if (!scheme || !suffix) continue;
      try {
        const url = new URL(origin);
        if (url.protocol === `${scheme}:` && url.host.endsWith(suffix)) return true;
      } catch {
        // A malformed Origin matches nothing.
      }
    } else if (entry === origin) {
      return true;
    }
  }
  return false;
}
