import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, Route, WebSocketRoute } from 'playwright-core';
import type { Logger } from 'pino';
import { encodeMessage, PROTOCOL_VERSION } from '@samepage/protocol';
import type { SharedBrowserConfig } from '../config.ts';
import type { Relay } from '../relay/relay.ts';
import { SESSION_STORAGE_KEY_FOR_SEED, sdkInitScript } from './init-script.ts';
import { InProcessSocket, SDK_ORIGIN, internalRequest } from './in-process-socket.ts';
import { isAlive, killAll, processTree, rssMb } from './proc.ts';
import { checkHost, checkPatterns, type Lookup, type UrlPatterns } from './url-policy.ts';

/** Launch arguments (docs/BROWSERS.md), minus the test-only host resolver rules. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OpenedSession {
  sessionId: string;
  code: string;
  resumeToken: string;
}

export interface SharedBrowserOptions {
  id: string;
  tenantId: string;
  siteKey: string;
  url: URL;
  patterns: UrlPatterns;
  config: SharedBrowserConfig;
  relay: Relay;
  sdkDist: string;
  log: Logger;
  lookup?: Lookup;
  onClosed(reason: string): void;
}

/**
 * One Chromium for one session: a fresh context (temporary profile), the SDK injected into
 * every page, its socket routed in-process to the relay, every request re-checked (SSRF and the
 * tenant's list), and closed with its whole process tree when the session ends.
 */
export class SharedBrowser {
  readonly marker: string;
  sessionId = '';
  private browser: Browser | null = null;
  private context: BrowserContext | null = null;
  readonly pages: Page[] = [];
  active: Page | null = null;
  private lastActivity = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private seed: OpenedSession | null = null;
  /** Every pid seen in the tree, for the no-orphans check after close. */
  readonly seenPids = new Set<number>();

  get tenantId(): string {
    return this.o.tenantId;
  }

  constructor(private readonly o: SharedBrowserOptions) {
    this.marker = `--samepage-shared-browser=${o.id}`;
  }

  async open(): Promise<OpenedSession> {
    const { chromium } = await import('playwright-core');
    const { config } = this.o;
    this.browser = await chromium.launch({ executablePath: config.chromium, headless: true, args: [...CHROMIUM_ARGS, `--js-flags=--max-old-space-size=${config.memoryMb}`, this.marker] });
    this.snapshotPids();
    const context = (this.context = await this.browser.newContext({ bypassCSP: true, serviceWorkers: 'block', viewport: { width: 1280, height: 800 } }));
    await context.route('**/*', (route) => this.routeRequest(route));
    await context.routeWebSocket(() => true, (ws) => this.routeSocket(ws, null));
    context.on('page', (page) => this.addPage(page));
    const session = await this.bootstrapSession();
    this.seed = session;
    const sdk = fs.readFileSync(path.join(this.o.sdkDist, 'sdk.js'), 'utf8');
    await context.addInitScript({ content: sdkInitScript(sdk, this.o.siteKey, { sessionId: session.sessionId, resumeToken: session.resumeToken }) });
    const page = await context.newPage();
    this.active = page;
    await page.goto(this.o.url.href, { waitUntil: 'domcontentloaded', timeout: 30_000 }).catch((err: unknown) => this.o.log.warn({ err }, 'first navigation failed'));
    this.timer = setInterval(() => this.watch(), 1000);
    this.timer.unref();
    return session;
  }

  /** Marks that someone used the session (a control action, pointer, chat…). */
  touch(): void {
    this.lastActivity = Date.now();
  }

  private addPage(page: Page): void {
    this.pages.push(page);
    void page.routeWebSocket(`${SDK_ORIGIN.replace('https', 'wss')}/ws`, (ws) => this.routeSocket(ws, page));
    page.on('close', () => {
      const i = this.pages.indexOf(page);
      if (i >= 0) this.pages.splice(i, 1);
      if (this.active === page) void this.switchTo(0).catch(() => undefined);
    });
  }

  /** Every request of every page and frame: the SDK's virtual origin is served from disk; the rest is policed. */
  private async routeRequest(route: Route): Promise<void> {
    const raw = route.request().url();
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return route.abort('blockedbyclient');
    }
    if (url.origin === SDK_ORIGIN) {
      const file = path.join(this.o.sdkDist, path.posix.normalize(url.pathname).replace(/^\/(sdk\/)?/, ''));
      if (!file.startsWith(this.o.sdkDist + path.sep) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: fs.readFileSync(file, 'utf8'), headers: { 'access-control-allow-origin': '*' } });
    }
    if (url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return route.abort('blockedbyclient');
    const refused = (route.request().isNavigationRequest() ? checkPatterns(url, this.o.patterns) : null) ?? (await checkHost(url, this.o.config.allowPrivate, this.o.lookup));
    if (refused) {
      this.o.log.info({ url: url.origin, refused }, 'shared browser request refused');
      return route.abort('blockedbyclient');
    }
    return this.fetchChecked(route, url);
  }

  /**
   * Playwright does not route the hops of a redirect, so the request is made here without
   * following redirects and each Location is checked before the next hop. A subresource gets
   * the final response; a navigation gets one redirect to the (checked) final URL, so that the
   * page's address is right.
   */
  private async fetchChecked(route: Route, first: URL): Promise<void> {
    let url = first;
    for (let hop = 0; hop < 10; hop++) {
      const response = await route.fetch({ url: url.href, maxRedirects: 0, timeout: 30_000 }).catch(() => null);
      if (!response) return route.abort('failed').catch(() => undefined);
      const location = response.status() >= 300 && response.status() < 400 ? response.headers()['location'] : undefined;
      if (!location) {
        if (url === first || !route.request().isNavigationRequest()) return route.fulfill({ response }).catch(() => undefined);
        return route.fulfill({ status: 302, headers: { location: url.href } }).catch(() => undefined);
      }
      const next = new URL(location, url);
      const refused = (next.protocol === 'http:' || next.protocol === 'https:' ? null : 'scheme') ?? checkPatterns(next, this.o.patterns) ?? (await checkHost(next, this.o.config.allowPrivate, this.o.lookup));
      if (refused) {
        this.o.log.info({ url: next.origin, refused }, 'shared browser redirect refused');
        return route.abort('blockedbyclient').catch(() => undefined);
      }
      url = next;
    }
    return route.abort('failed').catch(() => undefined);
  }

  /** The SDK's socket goes to the relay in-process; a page's own WebSockets are policed like requests. */
  private routeSocket(ws: WebSocketRoute, page: Page | null): void {
    const url = new URL(ws.url());
    if (url.origin !== SDK_ORIGIN.replace('https', 'wss')) {
      void checkHost(new URL(url.href.replace(/^ws/, 'http')), this.o.config.allowPrivate, this.o.lookup).then((refused) => {
        if (refused) void ws.close({ code: 1008, reason: 'blocked' });
        else ws.connectToServer();
      });
      return;
    }
    if (!page || page !== this.active) {
      // Only the streamed tab is the session's host; the others wait for a tab switch.
      ws.close({ code: 4409, reason: 'replaced' });
      return;
    }
    const socket = new InProcessSocket({
      onSend: (data) => {
        if (typeof data === 'string' && this.intercept(data, socket)) return;
        ws.send(typeof data === 'string' ? data : Buffer.from(data));
      },
      onClose: (code, reason) => ws.close({ code, reason }),
    });
    ws.onMessage((m) => socket.deliver(m));
    ws.onClose(() => socket.end());
    this.o.relay.accept(socket, internalRequest()).catch((err: unknown) => this.o.log.error({ err }, 'shared browser socket failed'));
  }

  /**
   * Nobody sits at the shared browser to answer a control request: it is granted at once (the
   * agents' permissions and the site's control roles are still checked by the relay).
   */
  private intercept(data: string, socket: InProcessSocket): boolean {
    let message: { type?: string; participantId?: string };
    try {
      message = JSON.parse(data) as typeof message;
    } catch {
      return false;
    }
    if (message.type !== 'welcome' && message.type !== 'control_state' && message.type !== 'host_status') this.touch();
    if (message.type === 'control_requested' && message.participantId) {
      socket.deliver(JSON.stringify({ type: 'control_grant', participantId: message.participantId }));
      return true;
    }
    return false;
  }

  /** Starts the session with an in-process host that the first page's SDK then replaces (resume). */
  private bootstrapSession(): Promise<OpenedSession> {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('the session did not start')), 10_000);
      const socket = new InProcessSocket({
        onSend: (data) => {
          if (typeof data !== 'string') return;
          const m = JSON.parse(data) as { type: string; sessionId?: string; code?: string; resumeToken?: string; message?: string };
          if (m.type === 'welcome') socket.deliver(encodeMessage({ type: 'session_start' } as never));
          else if (m.type === 'session_created' && m.sessionId && m.code && m.resumeToken) {
            clearTimeout(timeout);
            this.sessionId = m.sessionId;
            resolve({ sessionId: m.sessionId, code: m.code, resumeToken: m.resumeToken });
          } else if (m.type === 'error') {
            clearTimeout(timeout);
            reject(new Error(m.message ?? 'the session did not start'));
          }
        },
        onClose: () => undefined,
      });
      this.o.relay.accept(socket, internalRequest()).then(
        () => socket.deliver(JSON.stringify({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey: this.o.siteKey, page: { url: this.o.url.href.slice(0, 4096), title: this.o.url.hostname } })),
        reject,
      );
    });
  }

  tabs(): Array<{ index: number; url: string; title: string; active: boolean }> {
    return this.pages.map((p, index) => ({ index, url: p.url(), title: '', active: p === this.active }));
  }

  async tabsWithTitles(): Promise<Array<{ index: number; url: string; title: string; active: boolean }>> {
    const tabs = this.tabs();
    await Promise.all(tabs.map(async (t) => (t.title = await this.pages[t.index]!.title().catch(() => ''))));
    return tabs;
  }

  /** Streams another tab: the old one's SDK is cut off, the new one reloads and resumes the session. */
  async switchTo(index: number): Promise<boolean> {
    const page = this.pages[index];
    if (!page || !this.seed) return false;
    if (page === this.active) return true;
    this.active = page;
    this.touch();
    const seed = { sessionId: this.seed.sessionId, resumeToken: this.seed.resumeToken, seq: 0, epoch: 0 };
    await page.evaluate(([key, value]) => sessionStorage.setItem(key!, value!), [SESSION_STORAGE_KEY_FOR_SEED, JSON.stringify(seed)]).catch(() => undefined);
    await page.bringToFront().catch(() => undefined);
    await page.reload({ waitUntil: 'domcontentloaded' }).catch(() => undefined);
    return true;
  }

  private snapshotPids(): number[] {
    const pids = processTree(this.marker);
    for (const pid of pids) this.seenPids.add(pid);
    return pids;
  }

  /** Once a second: the session still live, the browser not idle, the tree under its memory limit. */
  private watch(): void {
    const session = this.o.relay.sessions.get(this.sessionId);
    if (!session || session.ended) return void this.close('session_ended');
    if (Date.now() - this.lastActivity > this.o.config.idleMs) return void this.close('idle');
    const mb = rssMb(this.snapshotPids());
    if (mb > this.o.config.memoryMb) {
      this.o.log.warn({ mb, limit: this.o.config.memoryMb }, 'shared browser over its memory limit');
      return void this.close('memory');
    }
  }

  /** Ends the session if it still runs, closes the browser, and kills whatever of its tree is left. */
  close(reason: string): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      const session = this.o.relay.sessions.get(this.sessionId);
      if (session && !session.ended) session.apply({ type: 'system_ended', reason: `shared_browser_${reason}` });
      this.snapshotPids();
      await Promise.race([this.browser?.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
      killAll([...this.seenPids].filter(isAlive));
      for (let i = 0; i < 50 && [...this.seenPids].some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
      this.o.log.info({ reason, sessionId: this.sessionId }, 'shared browser closed');
      this.o.onClosed(reason);
    })();
    return this.closing;
  }
}
