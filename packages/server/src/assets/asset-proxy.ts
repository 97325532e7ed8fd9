/**
 * The asset proxy: serves the replica the stylesheets, fonts and images that the agent's
 * browser cannot fetch itself (docs/FIDELITY.md, "Assets"). In order: what the customer's tab
 * uploaded for this session; else the proxy's cache; else a fetch from the site, if its host is
 * allowed for the site and its address is public. Stylesheets are served with their url()s
 * pointing back at the proxy, so fonts and images they name come the same way.
 */
import crypto from 'node:crypto';
import { rewriteCssUrls } from '@samepage/protocol';
import type { AssetProxyConfig } from '../config.ts';
import { isFetchableUrl, isHostAllowed } from './address-policy.ts';
import { AssetCache, type AssetCacheStats, type CachedAsset } from './asset-cache.ts';
import { fetchAsset, type FetchFailure, type Resolve } from './asset-fetch.ts';
import { signAssetToken, verifyAssetToken, type AssetGrant } from './asset-token.ts';
import { assetContentType, isCss } from './content-type.ts';
import { SessionAssets } from './session-assets.ts';

/** The proxy's path on the server; the console and stylesheets served here point at it. */
export const ASSET_PROXY_PATH = '/assets/proxy';

/**
 * What the proxy needs to know about a session: the site's origins, whether it is still live,
 * and whether it is end-to-end encrypted (then it serves no uploads and fetches public addresses
 * only, whatever ASSET_PROXY_ALLOW_PRIVATE says: docs/SECURITY.md §10).
 */
export type SessionLookup = (tenantId: string, sessionId: string) => Promise<{ siteOrigins: readonly string[]; live: boolean; e2ee?: boolean } | null>;

export type ProxyAnswer =
  | { kind: 'asset'; body: Buffer; contentType: string; source: 'customer' | 'cache' | 'fetched' }
  /** The site's own host on a private address: the agent's browser may try itself (as without a proxy). */
  | { kind: 'redirect'; location: string }
  | { kind: 'error'; code: FetchFailure['code'] | 'asset_type_refused' | 'session_ended'; message: string };

export interface AssetProxyStats extends AssetCacheStats {
  fetches: number;
  refused: number;
  customerAssets: number;
}

/** `/assets/proxy?t=<token>&u=<url>`, relative to the server. */
export function proxyPath(token: string, url: string): string {
  return `${ASSET_PROXY_PATH}?t=${encodeURIComponent(token)}&u=${encodeURIComponent(url)}`;
}

export class AssetProxy {
  readonly cache: AssetCache;
  readonly uploads: SessionAssets;
  private readonly secret: Buffer;
  private readonly inflight = new Map<string, Promise<ProxyAnswer>>();
  private counters = { fetches: 0, refused: 0, customerAssets: 0 };

  constructor(
    readonly config: AssetProxyConfig,
    private readonly sessions: SessionLookup,
    private readonly net: { resolve?: Resolve; isBlockedAddress?: (ip: string) => boolean } = {},
  ) {
    this.secret = config.secret ? Buffer.from(config.secret) : crypto.randomBytes(32);
    this.cache = new AssetCache(config.cacheBytes);
    this.uploads = new SessionAssets(this.cache, config.sessionBytes);
  }

  issueToken(tenantId: string, sessionId: string, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + this.config.tokenTtlMs;
    return { token: signAssetToken(this.secret, { tenantId, sessionId, expiresAt }), expiresAt };
  }

  verifyToken(token: string): AssetGrant | null {
    return verifyAssetToken(this.secret, token);
  }

  stats(): AssetProxyStats {
    return { ...this.cache.stats(), ...this.counters };
  }

  /** Answers one proxy request of a verified grant. */
  async serve(grant: AssetGrant, token: string, url: URL): Promise<ProxyAnswer> {
    const session = await this.sessions(grant.tenantId, grant.sessionId);
    if (!session || !session.live) return { kind: 'error', code: 'session_ended', message: 'The session has ended.' };
    const href = url.href;
    const e2ee = session.e2ee === true;
    const uploaded = e2ee ? null : await this.uploads.get(grant.sessionId, href, this.config.uploadWaitMs);
    if (uploaded) {
      this.counters.customerAssets += 1;
      return this.answer(uploaded, url, token, 'customer');
    }
    if (!isFetchableUrl(url) || !isHostAllowed(url, session.siteOrigins, this.config.allowHosts)) {
      this.counters.refused += 1;
      return { kind: 'error', code: 'asset_not_allowed', message: `${url.host} is not one of the site's hosts.` };
    }
    // Under encryption a cached fetch may only be served if it was fetched public-only: its own key.
    const key = `${e2ee ? 'p' : 'f'}:${grant.tenantId}:${href}`;
    const cached = this.cache.get(key);
    if (cached) return this.answer(cached, url, token, 'cache');
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetchAndStore(key, url, session.siteOrigins, e2ee).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const result = await pending;
    if (result.kind !== 'asset') return result;
    return this.answer({ bytes: result.body, contentType: result.contentType, storedAt: Date.now() }, url, token, 'fetched');
  }

  private async fetchAndStore(key: string, url: URL, siteOrigins: readonly string[], publicOnly: boolean): Promise<ProxyAnswer> {
    this.counters.fetches += 1;
    const c = this.config;
    const result = await fetchAsset(url, {
      allowPrivate: c.allowPrivate && !publicOnly,
      maxBytes: c.maxAssetBytes,
      timeoutMs: c.fetchTimeoutMs,
      isAllowed: (u) => isHostAllowed(u, siteOrigins, c.allowHosts),
      ...this.net,
    });
    if (!result.ok) {
      this.counters.refused += 1;
      // Only the first URL, which is one of the site's hosts: never a redirect target.
      if (result.privateAddress) return { kind: 'redirect', location: url.href };
      return { kind: 'error', code: result.code, message: result.reason };
    }
    const type = assetContentType(result.contentType, result.bytes);
    if (!type) return { kind: 'error', code: 'asset_type_refused', message: 'Only images, fonts, stylesheets and media are served.' };
    this.cache.set(key, result.bytes, type);
    return { kind: 'asset', body: result.bytes, contentType: type, source: 'fetched' };
  }

  /** Stylesheets point their references back at the proxy, resolved against their own URL. */
  private answer(asset: CachedAsset, url: URL, token: string, source: 'customer' | 'cache' | 'fetched'): ProxyAnswer {
    if (!isCss(asset.contentType)) return { kind: 'asset', body: asset.bytes, contentType: asset.contentType, source };
    const css = rewriteCssUrls(asset.bytes.toString('utf8'), (ref) => {
      let target: URL;
      try {
        target = new URL(ref, url);
      } catch {
        return null;
      }
      return target.protocol === 'http:' || target.protocol === 'https:' ? proxyPath(token, target.href) : null;
    });
    return { kind: 'asset', body: Buffer.from(css, 'utf8'), contentType: 'text/css; charset=utf-8', source };
  }
}
