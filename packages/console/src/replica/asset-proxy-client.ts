/**
 * Gets and renews the asset proxy token of a session (GET /api/sessions/:id/asset-token), for
 * the replica's AssetRewriter. The token is short-lived; it is renewed before it expires, so
 * assets added later in a long session still load.
 */
import type { AssetRouting } from './asset-rewriter.ts';

interface TokenAnswer {
  enabled?: boolean;
  token?: string;
  expiresAt?: number;
  path?: string;
}

/** Renew when this share of the token's lifetime has passed. */
const RENEW_AT = 0.8;
const RETRY_MS = 500;

/** The routing for a session, or null when the proxy is off or this viewer may not use it. */
export async function fetchAssetRouting(sessionId: string, attempt = 0): Promise<(AssetRouting & { expiresAt: number }) | null> {
  try {
    const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/asset-token`, { credentials: 'same-origin', cache: 'no-store' });
    // Right after a join on another node, the session's record may not list us yet: once more.
    if (response.status === 404 && attempt === 0) {
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      return fetchAssetRouting(sessionId, 1);
    }
    if (!response.ok) return null;
    const body = (await response.json()) as TokenAnswer;
    if (!body.enabled || typeof body.token !== 'string' || typeof body.path !== 'string' || typeof body.expiresAt !== 'number') return null;
    return { proxy: new URL(body.path, location.origin).href, token: body.token, expiresAt: body.expiresAt };
  } catch {
    return null;
  }
}

/**
 * Calls `apply` with the first routing (or null) and again with each renewed token; returns the stop function.
 *
 * @example const stop = keepAssetRouting(sessionId, (routing) => replica.setAssetRouting(routing));
 */
export function keepAssetRouting(sessionId: string, apply: (routing: AssetRouting | null) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first = true;
  const run = async (): Promise<void> => {
    const routing = await fetchAssetRouting(sessionId);
    if (stopped) return;
    // A failed renewal keeps the routing in force: its token still works until it expires.
    if (routing || first) apply(routing && { proxy: routing.proxy, token: routing.token });
    first = false;
    if (!routing) return;
    const lifetime = Math.max(1000, routing.expiresAt - Date.now());
    timer = setTimeout(() => void run(), lifetime * RENEW_AT);
  };
  void run();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
