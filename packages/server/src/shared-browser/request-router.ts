import fs from 'node:fs';
import path from 'node:path';
import type { Route } from 'playwright-core';
import type { Logger } from 'pino';
import { SDK_ORIGIN } from './in-process-socket.ts';
import type { EgressProxy } from './egress-proxy.ts';
import { checkPatterns, type UrlPatterns } from './url-policy.ts';

export interface RequestRouterOptions {
  sdkDist: string;
  patterns: UrlPatterns;
  proxy: EgressProxy;
  log: Logger;
}

/**
 * Every request of every page and frame of a shared browser (`context.route('**\/*')`): the SDK's
 * virtual origin is served from disk; other schemes are refused; navigations must match the
 * tenant's list; the rest is fetched through the egress proxy, which checks the address it
 * connects to (egress-proxy.ts).
 *
 * @example
 *   await context.route('**\/*', createRequestRouter({ sdkDist, patterns, proxy, log }));
 */
export function createRequestRouter(o: RequestRouterOptions): (route: Route) => Promise<void> {
  return async (route) => {
    const raw = route.request().url();
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return route.abort('blockedbyclient');
    }
    if (url.origin === SDK_ORIGIN) return serveSdk(route, url, o.sdkDist);
    if (url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return route.abort('blockedbyclient');
    const refused = route.request().isNavigationRequest() ? checkPatterns(url, o.patterns) : null;
    if (refused) {
      o.log.info({ url: url.origin, refused }, 'shared browser navigation refused');
      return route.abort('blockedbyclient');
    }
    return fetchChecked(route, url, o);
  };
}

function serveSdk(route: Route, url: URL, sdkDist: string): Promise<void> {
  const file = path.join(sdkDist, path.posix.normalize(url.pathname).replace(/^\/(sdk\/)?/, ''));
  if (!file.startsWith(sdkDist + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
  return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: fs.readFileSync(file, 'utf8'), headers: { 'access-control-allow-origin': '*' } });
}

/**
 * Playwright does not route the hops of a redirect, so the request is made here (through the
 * proxy) without following redirects, and each Location is checked against the tenant's list
 * before the next hop. A subresource gets the final response; a navigation gets one redirect to
 * the (checked) final URL, so that the page's address is right. A hop the proxy refused (a
 * private address) is reported to the page as blocked.
 */
async function fetchChecked(route: Route, first: URL, o: RequestRouterOptions): Promise<void> {
  let url = first;
  const blocked = () => route.abort('blockedbyclient').catch(() => undefined);
  for (let hop = 0; hop < 10; hop++) {
    const response = await route.fetch({ url: url.href, maxRedirects: 0, timeout: 30_000 }).catch(() => null);
    if (!response) return o.proxy.refusedReason(url.hostname) ? blocked() : route.abort('failed').catch(() => undefined);
    if (response.headers()['x-samepage-refused']) return blocked();
    const location = response.status() >= 300 && response.status() < 400 ? response.headers()['location'] : undefined;
    if (!location) {
      if (url === first || !route.request().isNavigationRequest()) return route.fulfill({ response }).catch(() => undefined);
      return route.fulfill({ status: 302, headers: { location: url.href } }).catch(() => undefined);
    }
    const next = new URL(location, url);
    const refused = (next.protocol === 'http:' || next.protocol === 'https:' ? null : 'scheme') ?? checkPatterns(next, o.patterns);
    if (refused) {
      o.log.info({ url: next.origin, refused }, 'shared browser redirect refused');
      return blocked();
    }
    url = next;
  }
  return route.abort('failed').catch(() => undefined);
}
