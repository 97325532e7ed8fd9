/**
 * The real product: the server from @samepage/server (in this process), the SDK embedded in a
 * workload page with one script tag, and the agent console as the viewer.
 */
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer } from '@samepage/server';
import type { StaticServer } from '../lib/static-server.ts';
import { clientFrameOverhead, type Customer, type Side, type SnapshotResult, type ViewerOpenResult } from '../lib/types.ts';
import { BENCH_END_TEXT, generatePage } from '../workload/page.ts';

interface SamepageLike {
  startSession(): Promise<{ code: string }>;
  endSession(): Promise<void>;
}
type CustomerWindow = Window & { Samepage?: SamepageLike };

interface FrameLog {
  wireBytes: number;
  frames: number;
  /** [flags byte, wire bytes] of each binary frame. */
  binary: Array<[number, number]>;
  /** Payload of the first keyframe (header + deflate-raw JSON). */
  firstKeyframe: Buffer | null;
}

/** Taps every frame the page sends to the Samepage server's /ws, as CDP reports it. */
function tapFrames(page: Page, serverUrl: string): FrameLog {
  const log: FrameLog = { wireBytes: 0, frames: 0, binary: [], firstKeyframe: null };
  const wsUrl = serverUrl.replace(/^http/, 'ws') + '/ws';
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(wsUrl)) return;
    ws.on('framesent', ({ payload }) => {
      const len = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
      const wire = len + clientFrameOverhead(len);
      log.wireBytes += wire;
      log.frames += 1;
      if (typeof payload !== 'string') {
        log.binary.push([payload[1] ?? 0, wire]);
        if (!log.firstKeyframe && (payload[1] ?? 0) & 1) log.firstKeyframe = payload;
      }
    });
  });
  return log;
}

export interface SamepageSideOptions {
  /** The Samepage origin the customer's page uses (e.g. a throttling proxy in front of the server). */
  customerServer?(server: { url: string; port: number }): Promise<string>;
  /** Called with each customer tab before it loads the page (init scripts, bindings). */
  prepareCustomerPage?(page: Page): Promise<void>;
  /**
   * End-to-end encryption on (bench/e2ee-latency.ts): the site's policy and the snippet say so,
   * and the customer's tab confirms every agent's code by itself (headless `e2ee_verify` →
   * `Samepage.confirmAgent`), as no person is there to compare them.
   */
  e2ee?: boolean;
}

export async function createSamepageSide(browser: Browser, web: StaticServer, bundles: { page: string; probe: string }, options: SamepageSideOptions = {}): Promise<Side> {
  const server = await startServer({ env: { JOIN_ATTEMPTS_PER_MINUTE: '10000', LOGIN_ATTEMPTS_PER_MINUTE: '10000' } });
  const customerUrl = options.customerServer ? await options.customerServer(server) : server.url;
  const demo = await server.store.findSiteByKey(server.demoSiteKey);
  if (!demo) throw new Error('the demo site is missing');
  const site = await server.store.createSite({ tenantId: demo.tenantId, name: 'bench', allowedOrigins: [web.origin], ...(options.e2ee ? { policy: { e2ee: true } } : {}) });
  const e2eeAttr = options.e2ee ? ' data-e2ee' : '';
  const autoConfirm = options.e2ee ? `<script>addEventListener('load',function(){Samepage.on('e2ee_verify',function(e){Samepage.confirmAgent(e.participantId,true)})})</script>` : '';
  web.set('/bench/page.js', bundles.page, 'text/javascript');
  const pages = new Set<number>();
  const pagePath = (nodes: number): string => {
    const path = `/sp/customer-${nodes}${options.e2ee ? '-e2ee' : ''}.html`;
    if (!pages.has(nodes)) {
      pages.add(nodes);
      const head = `<script src="/bench/page.js"></script><script src="${customerUrl}/sdk.js" data-site-key="${site.siteKey}"${e2eeAttr} async></script>${autoConfirm}`;
      web.set(path, generatePage({ nodes, head, title: `Samepage ${nodes}` }).html);
    }
    return path;
  };
  const sessionOf = new WeakMap<Customer, { sessionId: string; code: string | null }>();

  const openTab = async (context: BrowserContext, nodes: number): Promise<{ page: Page; frames: FrameLog }> => {
    const page = await context.newPage();
    await options.prepareCustomerPage?.(page);
    const frames = tapFrames(page, customerUrl);
    await page.goto(`${web.origin}${pagePath(nodes)}`);
    await page.waitForFunction(() => typeof (window as CustomerWindow).Samepage?.startSession === 'function', null, { timeout: 10_000 });
    return { page, frames };
  };
  const endSession = async (page: Page): Promise<void> => {
    await page.evaluate(() => (window as CustomerWindow).Samepage?.endSession()).catch(() => undefined);
  };

  return {
    name: 'samepage',
    async viewerContext() {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const res = await context.request.post(`${server.url}/api/auth/login`, {
        headers: { 'x-samepage-csrf': '1', origin: server.url },
        data: { email: server.admin.email, password: server.admin.password },
      });
      if (!res.ok()) throw new Error(`console login failed: HTTP ${res.status()} ${await res.text()}`);
      return context;
    },
    async openCustomer(context, nodes) {
      const { page, frames } = await openTab(context, nodes);
      const before = new Set(server.relay.sessions.keys());
      const { code } = await page.evaluate(() => (window as CustomerWindow).Samepage!.startSession());
      const sessionId = [...server.relay.sessions.keys()].find((id) => !before.has(id));
      if (!sessionId) throw new Error('startSession resolved but the server has no new session');
      // Wait for the first keyframe to leave the tab.
      const deadline = Date.now() + 20_000;
      while (!frames.binary.some(([flags]) => flags & 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const base = { wireBytes: frames.wireBytes, frames: frames.frames };
      const customer: Customer = {
        page,
        wire: () => ({ wireBytes: frames.wireBytes - base.wireBytes, rawBytes: null, frames: frames.frames - base.frames }),
        async close() {
          await endSession(page);
          await page.close();
        },
      };
      sessionOf.set(customer, { sessionId, code });
      return customer;
    },
    async openViewer(context, customer, mode = 'button'): Promise<ViewerOpenResult> {
      const session = sessionOf.get(customer);
      if (!session) throw new Error('unknown customer');
      // Codes are single-use and a session has one; further agents get codes issued in-process
      // (the product has no way yet to let a second agent in; see bench/README.md).
      let code = session.code;
      session.code = null;
      if (!code) {
        const live = server.relay.sessions.get(session.sessionId);
        if (!live) throw new Error('the session is gone from the relay');
        code = (await server.relay.codes.issue(live.id, live.tenantId)).code;
      }
      const page = await context.newPage();
      await page.addInitScript({
        content:
          `window.__benchWaitText=${JSON.stringify(BENCH_END_TEXT)};` +
          `window.__benchReplicaDoc=function(){var h=window.__samepageReplica;return h?h.document():null};\n` +
          bundles.probe,
      });
      let t0Expr: 'pressed' | 'navigation';
      if (mode === 'url') {
        t0Expr = 'navigation';
        await page.goto(`${server.url}/console/join/${code}`);
      } else {
        t0Expr = 'pressed';
        await page.goto(`${server.url}/console`);
        await page.getByLabel('Session code').fill(code);
        await page.getByRole('button', { name: 'Join', exact: true }).click();
      }
      const r = await page.evaluate(async (mode) => {
        const joined = await window.__benchJoin;
        if (!joined) return null;
        const t0 = mode === 'pressed' ? window.__benchJoinPressedAt : performance.timeOrigin;
        return t0 === undefined ? null : joined.paintedAt - t0;
      }, t0Expr);
      if (r === null) throw new Error(`console (${mode}): the replica never showed the page's last element within 20 s`);
      return { page, joinMs: r };
    },
    async snapshot(context, nodes): Promise<SnapshotResult> {
      const { page, frames } = await openTab(context, nodes);
      try {
        const r = await page.evaluate(async () => {
          const heartbeat = window.__bench.measureBlocking(0);
          const t0 = window.__bench.now();
          await (window as CustomerWindow).Samepage!.startSession();
          const deadline = performance.now() + 20_000;
          let sentAt: number | null = null;
          while (sentAt === null && performance.now() < deadline) {
            const key = window.__bench.binarySends().find(([, flags]) => flags & 1);
            if (key) sentAt = key[0];
            else await new Promise((res) => setTimeout(res, 5));
          }
          await new Promise((res) => setTimeout(res, 300));
          const block = heartbeat.stop();
          return { toSendMs: sentAt === null ? null : sentAt - t0, blockMs: block.longestMs, secondBlockMs: block.secondMs, nodes: window.__bench.nodeCount() };
        });
        if (r.toSendMs === null) throw new Error(`samepage: no keyframe was sent within 20 s (${nodes} nodes)`);
        const deadline = Date.now() + 5000;
        while (!frames.binary.some(([flags]) => flags & 1) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
        const key = frames.binary.find(([flags]) => flags & 1);
        let jsonBytes: number | null = null;
        try {
          if (frames.firstKeyframe) jsonBytes = zlib.inflateRawSync(frames.firstKeyframe.subarray(12)).length;
        } catch {
          jsonBytes = null;
        }
        return { blockMs: r.blockMs, secondBlockMs: r.secondBlockMs, toSendMs: r.toSendMs, wireBytes: key?.[1] ?? 0, jsonBytes, nodes: r.nodes };
      } finally {
        await endSession(page);
        await page.close();
      }
    },
    async close() {
      await server.close();
    },
  };
}
