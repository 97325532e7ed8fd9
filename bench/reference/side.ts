/** The reference: rrweb 2.2.2 record → JSON over a ws relay (permessage-deflate) → live Replayer. */
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { bundleClient } from '../lib/bundle.ts';
import type { StaticServer } from '../lib/static-server.ts';
import type { Customer, Side, SnapshotResult, ViewerOpenResult } from '../lib/types.ts';
import { BENCH_END_TEXT, generatePage } from '../workload/page.ts';
import { ReferenceRelay } from './relay.ts';
import type { RefStartResult } from './recorder.client.ts';

let roomCounter = 0;

export interface ReferenceSideOptions {
  /** Called with each customer tab before it loads the page (e.g. to tap its WebSocket frames). */
  prepareCustomerPage?(page: Page): Promise<void>;
}

export async function createReferenceSide(browser: Browser, web: StaticServer, bundles: { page: string; probe: string }, options: ReferenceSideOptions = {}): Promise<Side> {
  const relay = new ReferenceRelay();
  web.onUpgrade((req, socket, head) => relay.handleUpgrade(req, socket, head));
  const relayUrl = web.origin.replace(/^http/, 'ws') + '/relay';
  const [recorderJs, viewerJs] = await Promise.all([
    bundleClient('reference/recorder.client.ts', { minify: true }),
    bundleClient('reference/viewer.client.ts', { minify: true }),
  ]);
  web.set('/ref/recorder.js', recorderJs, 'text/javascript');
  web.set('/ref/viewer.js', viewerJs, 'text/javascript');
  web.set('/bench/page.js', bundles.page, 'text/javascript');
  web.set('/bench/probe.js', bundles.probe, 'text/javascript');
  const roomConfig = (keep: boolean): string =>
    `<script>window.__refConfig={relay:${JSON.stringify(relayUrl)},room:new URLSearchParams(location.search).get('room'),keepSnapshotJson:${keep}}</script>`;
  web.set(
    '/ref/viewer.html',
    `<!doctype html><html><head><meta charset="utf-8"><title>reference viewer</title>${roomConfig(false)}` +
      `<link rel="stylesheet" href="/ref/style.css"></head><body><div id="replay"></div>` +
      `<script src="/bench/probe.js"></script><script src="/ref/viewer.js"></script></body></html>`,
  );
  const { readFileSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  web.set('/ref/style.css', readFileSync(require.resolve('rrweb/dist/style.css'), 'utf8'), 'text/css');
  const pages = new Set<number>();
  const pagePath = (nodes: number, keep: boolean): string => {
    const path = `/ref/customer-${nodes}${keep ? '-keep' : ''}.html`;
    if (!pages.has(nodes * 2 + (keep ? 1 : 0))) {
      pages.add(nodes * 2 + (keep ? 1 : 0));
      const head = `${roomConfig(keep)}<script src="/bench/page.js"></script><script src="/ref/recorder.js"></script>`;
      web.set(path, generatePage({ nodes, head, title: `Reference ${nodes}` }).html);
    }
    return path;
  };

  const roomOf = new WeakMap<Customer, string>();

  return {
    name: 'reference',
    async viewerContext() {
      return browser.newContext({ viewport: { width: 1400, height: 900 } });
    },
    async openCustomer(context: BrowserContext, nodes: number): Promise<Customer> {
      const room = `r${++roomCounter}`;
      const page = await context.newPage();
      await options.prepareCustomerPage?.(page);
      await page.goto(`${web.origin}${pagePath(nodes, false)}?room=${room}`);
      await page.evaluate(() => window.__ref.start());
      const base = relay.hostCounters(room);
      const customer: Customer = {
        page,
        wire() {
          const c = relay.hostCounters(room);
          return { wireBytes: c.wireBytes - base.wireBytes, rawBytes: c.rawBytes - base.rawBytes, frames: c.messages - base.messages };
        },
        async close() {
          await page.close();
          relay.closeRoom(room);
        },
      };
      roomOf.set(customer, room);
      return customer;
    },
    async openViewer(context: BrowserContext, customer: Customer): Promise<ViewerOpenResult> {
      const room = roomOf.get(customer);
      const page = await context.newPage();
      await page.addInitScript((text) => {
        window.__benchWaitText = text;
      }, BENCH_END_TEXT);
      await page.goto(`${web.origin}/ref/viewer.html?room=${room}`);
      const joined = await page.evaluate(async () => {
        const r = await window.__benchJoin;
        return r ? r.paintedAt - performance.timeOrigin : null;
      });
      if (joined === null) throw new Error('reference viewer: replica never showed the page');
      return { page, joinMs: joined };
    },
    async snapshot(context: BrowserContext, nodes: number): Promise<SnapshotResult> {
      const room = `s${++roomCounter}`;
      const page = await context.newPage();
      try {
        await page.goto(`${web.origin}${pagePath(nodes, true)}?room=${room}`);
        const r = await page.evaluate(async () => {
          const heartbeat = window.__bench.measureBlocking(0);
          const t0 = window.__bench.now();
          const started: RefStartResult = await window.__ref.start();
          const sentAt = window.__bench.now();
          await new Promise((res) => setTimeout(res, 300));
          const block = heartbeat.stop();
          return { ...started, toSendMs: sentAt - t0, blockMs: block.longestMs, secondBlockMs: block.secondMs, nodes: window.__bench.nodeCount() };
        });
        // Wait until the relay has read the snapshot off the socket.
        const deadline = Date.now() + 10_000;
        while (relay.hostCounters(room).rawBytes < r.snapshotJsonBytes && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
        await new Promise((res) => setTimeout(res, 50));
        const counters = relay.hostCounters(room);
        const json = r.snapshotJson ?? '';
        const deflated = zlib.deflateRawSync(Buffer.from(json)).length;
        return {
          blockMs: r.blockMs,
          secondBlockMs: r.secondBlockMs,
          toSendMs: r.snapshotSyncMs,
          wireBytes: counters.wireBytes,
          jsonBytes: r.snapshotJsonBytes,
          nodes: r.nodes,
          deflateRawBytes: deflated,
        };
      } finally {
        await page.close();
        relay.closeRoom(room);
      }
    },
    async close() {
      relay.close();
    },
  };
}
