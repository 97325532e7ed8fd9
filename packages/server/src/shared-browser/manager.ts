import fs from 'node:fs';
import type { Relay } from '../relay/relay.ts';
import { INTERNAL_ORIGIN } from '../http/origin.ts';
import { newId } from '../ids.ts';
import { SharedBrowser } from './shared-browser.ts';
import { checkOpenUrl, type Lookup, type UrlPatterns } from './url-policy.ts';

export const CHROMIUM_MISSING = 'Open a website needs Chromium on the server: apt-get install chromium';

export type OpenResult =
  | { ok: true; sessionId: string; code: string; browser: SharedBrowser }
  | { ok: false; code: 'shared_browser_unavailable' | 'shared_browser_limit' | 'url_not_allowed' | 'invalid_request'; message: string };

/** Why "Open a website" cannot work on this node, or null when it can. */
export function unavailableReason(config: Relay['deps']['config']): string | null {
  if (!config.sharedBrowser.enabled) return 'Open a website is switched off on this server (SHARED_BROWSER).';
  try {
    fs.accessSync(config.sharedBrowser.chromium, fs.constants.X_OK);
  } catch {
    return CHROMIUM_MISSING;
  }
  return null;
}

/** The shared browsers of one node: the per-node limit, the tenant's hidden site, and shutdown. */
export class SharedBrowsers {
  readonly running = new Map<string, SharedBrowser>();
  private starting = 0;
  /** Tests replace DNS, and may count a loopback address as public (url-policy.ts AddressPolicy). */
  lookup: Lookup | undefined;
  isPrivate: ((ip: string) => boolean) | undefined;

  constructor(
    private readonly relay: Relay,
    private readonly sdkDist: string,
  ) {}

  get config() {
    return this.relay.deps.config.sharedBrowser;
  }

  /** The tenant's hidden "Shared browser" site: its only allowed origin is the in-process one. */
  async siteKey(tenantId: string): Promise<string> {
    const key = `sb_${tenantId}`;
    const { store } = this.relay.deps;
    const found = await store.findSiteByKey(key);
    if (found) return found.siteKey;
    const site = await store.createSite({ tenantId, name: 'Shared browser', siteKey: key, allowedOrigins: [INTERNAL_ORIGIN], policy: { allowCustomerStart: true, allowNavigation: true, allowGuests: true } });
    return site.siteKey;
  }

  async open(tenantId: string, rawUrl: string, patterns: UrlPatterns): Promise<OpenResult> {
    const reason = unavailableReason(this.relay.deps.config);
    if (reason) return { ok: false, code: 'shared_browser_unavailable', message: reason };
    const verdict = await checkOpenUrl(rawUrl, patterns, { allowPrivate: this.config.allowPrivate, lookup: this.lookup, isPrivate: this.isPrivate });
    if (!verdict.ok) return { ok: false, code: verdict.code, message: verdict.reason };
    if (this.running.size + this.starting >= this.config.max) {
      return { ok: false, code: 'shared_browser_limit', message: `All ${this.config.max} shared browsers of this server are in use; try again when one of those sessions ends.` };
    }
    this.starting += 1;
    const id = newId('sb');
    const log = this.relay.deps.log.child({ component: 'shared-browser', sharedBrowser: id, tenantId });
    const browser = new SharedBrowser({
      id,
      tenantId,
      siteKey: await this.siteKey(tenantId).catch(() => ''),
      url: verdict.url,
      patterns,
      config: this.config,
      relay: this.relay,
      sdkDist: this.sdkDist,
      log,
      lookup: this.lookup,
      isPrivate: this.isPrivate,
      onClosed: () => this.running.delete(browser.sessionId || id),
    });
    try {
      const session = await browser.open();
      this.running.set(session.sessionId, browser);
      return { ok: true, sessionId: session.sessionId, code: session.code, browser };
    } catch (err) {
      log.error({ err }, 'could not open the shared browser');
      await browser.close('failed');
      return { ok: false, code: 'shared_browser_unavailable', message: `The shared browser could not start: ${String((err as Error).message ?? err).split('\n')[0]}` };
    } finally {
      this.starting -= 1;
    }
  }

  get(tenantId: string, sessionId: string): SharedBrowser | null {
    const b = this.running.get(sessionId);
    return b && b.tenantId === tenantId ? b : null;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((b) => b.close('server_shutdown')));
  }
}

const registry = new WeakMap<Relay, SharedBrowsers>();

/** The node's shared browsers (one registry per relay, so tests with several servers stay apart). */
export function sharedBrowsers(relay: Relay, sdkDist: string): SharedBrowsers {
  let found = registry.get(relay);
  if (!found) registry.set(relay, (found = new SharedBrowsers(relay, sdkDist)));
  return found;
}
