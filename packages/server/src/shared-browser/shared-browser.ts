import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import type { Logger } from 'pino';
import { encodeMessage, PROTOCOL_VERSION, type BrowserTab } from '@samepage/protocol';
import type { SharedBrowserConfig } from '../config.ts';
import type { Relay } from '../relay/relay.ts';
import { runBrowserAction, type BrowserAction, type BrowserActionResult } from './browser-actions.ts';
import { startEgressProxy, type EgressProxy } from './egress-proxy.ts';
import { SESSION_STORAGE_KEY_FOR_SEED, sdkInitScript } from './init-script.ts';
import { InProcessSocket, SDK_ORIGIN, internalRequest } from './in-process-socket.ts';
import { isAlive, killAll, memoryMb, processTree } from './proc.ts';
import { createRequestRouter } from './request-router.ts';
import type { AddressPolicy, Lookup, UrlPatterns } from './url-policy.ts';

/**
 * Launch arguments (docs/BROWSERS.md). Chromium resolves no host name itself (everything goes
 * through the egress proxy, which resolves, checks and pins), and WebRTC may not send UDP around
 * the proxy.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
];

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
  /** Tests: a resolver, and loopback addresses that count as public (url-policy.ts AddressPolicy). */
  lookup?: Lookup;
  isPrivate?: (ip: string) => boolean;
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
  private proxy: EgressProxy | null = null;
  private tabsTimer: NodeJS.Timeout | null = null;
  /** Every pid seen in the tree, for the no-orphans check after close. */
  readonly seenPids = new Set<number>();

  get tenantId(): string {
    return this.o.tenantId;
  }

  constructor(private readonly o: SharedBrowserOptions) {
    this.marker = `--samepage-shared-browser=${o.id}`;
  }

  /** The egress proxy's address (tests check it is closed with the browser). */
  get egressUrl(): string | null {
    return this.proxy?.url ?? null;
  }

  get network(): AddressPolicy {
    return { allowPrivate: this.o.config.allowPrivate, lookup: this.o.lookup, isPrivate: this.o.isPrivate };
  }

  async open(): Promise<OpenedSession> {
    const { chromium } = await import('playwright-core');
    const { config } = this.o;
    const proxy = (this.proxy = await startEgressProxy(this.network, this.o.log));
    this.browser = await chromium.launch({
      executablePath: config.chromium,
      headless: true,
      args: [...CHROMIUM_ARGS, `--js-flags=--max-old-space-size=${config.memoryMb}`, this.marker],
      // Chromium's requests and Playwright's route.fetch both go out through the proxy.
      proxy: { server: proxy.url },
    });
    this.snapshotPids();
    const context = (this.context = await this.browser.newContext({ bypassCSP: true, serviceWorkers: 'block', viewport: { width: 1280, height: 800 } }));
    await context.route('**/*', createRequestRouter({ sdkDist: this.o.sdkDist, patterns: this.o.patterns, proxy, log: this.o.log }));
    await context.routeWebSocket(() => true, (ws) => this.routeSocket(ws, null));
    context.on('page', (page) => this.addPage(page));
    const session = await this.bootstrapSession();
    this.seed = session;
    const live = this.o.relay.sessions.get(session.sessionId);
    if (live) live.sharedBrowser = { tabs: [], runAction: (action, reply) => void this.runAction(action).then(reply) };
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
    page.routeWebSocket(`${SDK_ORIGIN.replace('https', 'wss')}/ws`, (ws) => this.routeSocket(ws, page)).catch(() => undefined);
    page.on('close', () => {
      const i = this.pages.indexOf(page);
      if (i >= 0) this.pages.splice(i, 1);
      if (this.active === page) void this.switchTo(0).catch(() => undefined);
      this.publishTabs();
    });
    page.on('framenavigated', (frame) => frame === page.mainFrame() && this.publishTabs());
    page.on('load', () => this.publishTabs());
    this.publishTabs();
  }

  /** Tells everyone in the session the tabs (soon, once for a burst of changes). */
  private publishTabs(): void {
    if (this.tabsTimer || this.closing) return;
    this.tabsTimer = setTimeout(() => {
      this.tabsTimer = null;
      void this.tabsWithTitles().then((tabs) => {
        const session = this.o.relay.sessions.get(this.sessionId);
        if (!session?.sharedBrowser || session.ended) return;
        session.sharedBrowser.tabs = tabs;
        session.toMembers({ type: 'browser_tabs', tabs });
      });
    }, 100);
    this.tabsTimer.unref();
  }

  /** The SDK's socket goes to the relay in-process; a page's own WebSockets go out through the egress proxy. */
  private routeSocket(ws: WebSocketRoute, page: Page | null): void {
    const url = new URL(ws.url());
    if (url.origin !== SDK_ORIGIN.replace('https', 'wss')) {
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return void ws.close({ code: 1008, reason: 'blocked' });
      ws.connectToServer();
      return;
    }
    if (!page || page !== this.active) {
      // Only the streamed tab is the session's host; the others wait for a tab switch.
      ws.close({ code: 4409, reason: 'replaced' });
      return;
    }
    const socket = new InProcessSocket({
      onSend: (data) => {
        if (typeof data === 'string') this.intercept(data);
        ws.send(typeof data === 'string' ? data : Buffer.from(data));
      },
      onClose: (code, reason) => ws.close({ code, reason }),
    });
    ws.onMessage((m) => socket.deliver(m));
    ws.onClose(() => socket.end());
    this.o.relay.accept(socket, internalRequest()).catch((err: unknown) => this.o.log.error({ err }, 'shared browser socket failed'));
  }

  /** What the relay sends the page: any message but the relay's own bookkeeping counts as use (the idle timeout). */
  private intercept(data: string): void {
    const type = /^\{"type":"([a-z_]+)"/.exec(data)?.[1];
    if (type !== 'welcome' && type !== 'control_state' && type !== 'host_status') this.touch();
  }

  /**
   * Navigation and tab switches, already checked by the relay (shared-control.ts), run in the
   * browser rather than in the page's SDK: they work while a page is loading, and the address is
   * checked against the tenant's list and SSRF rules before the browser goes there.
   */
  private async runAction(action: BrowserAction): Promise<BrowserActionResult> {
    this.touch();
    const page = this.active;
    if (!page) return { ok: false, failure: 'failed', message: 'The shared browser has no tab open.' };
    const context = { page, patterns: this.o.patterns, network: this.network, log: this.o.log, tabCount: () => this.pages.length, switchTo: (i: number) => this.switchTo(i) };
    try {
      const { result, after } = await runBrowserAction(action, context);
      if (after) setImmediate(() => void after());
      return result;
    } catch {
      return { ok: false, failure: 'failed', message: 'The shared browser could not do that.' };
    }
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

  tabs(): BrowserTab[] {
    return this.pages.map((p, index) => ({ index, url: p.url().slice(0, 4096), title: '', active: p === this.active }));
  }

  async tabsWithTitles(): Promise<BrowserTab[]> {
    const tabs = this.tabs();
    await Promise.all(tabs.map(async (t) => (t.title = (await this.pages[t.index]!.title().catch(() => '')).slice(0, 1024))));
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
    this.publishTabs();
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
    const mb = memoryMb(this.snapshotPids());
    if (mb > this.o.config.memoryMb) {
      this.o.log.warn({ mb, limit: this.o.config.memoryMb }, 'shared browser over its memory limit');
      return void this.close('memory');
    }
  }

  /** Ends the session if it still runs, closes the browser, and kills whatever of its tree is left. */
  close(reason: string): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      if (this.tabsTimer) clearTimeout(this.tabsTimer);
      const session = this.o.relay.sessions.get(this.sessionId);
      if (session && !session.ended) session.apply({ type: 'system_ended', reason: `shared_browser_${reason}` });
      this.snapshotPids();
      await Promise.race([this.browser?.close().catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
      killAll([...this.seenPids].filter(isAlive));
      for (let i = 0; i < 50 && [...this.seenPids].some(isAlive); i++) await new Promise((r) => setTimeout(r, 100));
      await this.proxy?.close();
      this.o.log.info({ reason, sessionId: this.sessionId }, 'shared browser closed');
      this.o.onClosed(reason);
    })();
    return this.closing;
  }
}
