import type { IncomingMessage } from 'node:http';

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** True when the Origin header names this server itself (the console and the demo shop). */
export function isSameOrigin(origin: string, req: IncomingMessage): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && hostOf(origin) === host;
}

/**
 * Checks a site's allowed origins. Entries are exact origins (`https://shop.example.com`),
 * wildcard subdomains (`https://*.example.com`), or `self` for this server's own origin.
 */
export function isOriginAllowed(origin: string | null, allowed: readonly string[], req: IncomingMessage): boolean {
  if (!origin || origin === 'null') return false;
  for (const entry of allowed) {
    if (entry === 'self') {
      if (isSameOrigin(origin, req)) return true;
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
