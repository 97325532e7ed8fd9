/**
 * The standard steady workload (bench/lib/steady.ts: 10k-node page, 50 changes + 5 insertions
 * per 16 ms, mouse moves; latency = marker change in the customer's page → shown in the agent's
 * replica) with the customer's tab behind a throttled link (proxy.ts). The customer's page loads
 * the SDK from the proxy's port, so its WebSocket to Samepage crosses the throttled link; the
 * agent's console is on loopback.
 *
 * Per profile: latency p50/p95/p99, bytes/s handed to the socket by the SDK and bytes/s that
 * crossed the link, the most bytes queued in the SDK's WebSocket (`bufferedAmount`, sampled every
 * 20 ms in the page) and in the link, and disconnects (WebSocket close events in the customer's
 * page; connections cut at the proxy).
 *
 *   node --import tsx bench/slow-network/run.ts [--json] [--quick]   (after npm run build)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../lib/browser.ts';
import { bundleClient } from '../lib/bundle.ts';
import { startStaticServer, type StaticServer } from '../lib/static-server.ts';
import { runSteady } from '../lib/steady.ts';
import { PROFILES, startThrottleProxy, type LinkProfile, type ThrottleProxy } from './proxy.ts';

export interface SlowNetworkResult {
  profile: string;
  bps: number;
  rtt_ms: number;
  loss: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  lost_markers: number;
  sdk_bytes_per_s: number;
  link_bytes_per_s_up_whole_run: number;
  sdk_max_buffered_bytes: number;
  link_max_queued_bytes: number;
  disconnects: number;
  proxy_connections_ended: number;
  lost_segments: number;
}

/** Tracks the page's WebSockets: the largest bufferedAmount seen, and close events. */
const SOCKET_PROBE = `(() => {
  const Native = window.WebSocket;
  const sockets = new Set();
  const state = { maxBuffered: 0, closes: 0, opened: 0 };
  window.__slowNet = state;
  class Tracked extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      state.opened += 1;
      sockets.add(this);
      this.addEventListener('close', () => { sockets.delete(this); if (!state.stopped) state.closes += 1; });
    }
    send(data) {
      super.send(data);
      if (this.bufferedAmount > state.maxBuffered) state.maxBuffered = this.bufferedAmount;
    }
  }
  window.WebSocket = Tracked;
  setInterval(() => { for (const s of sockets) if (s.bufferedAmount > state.maxBuffered) state.maxBuffered = s.bufferedAmount; }, 20);
  window.addEventListener('pagehide', () => { state.stopped = true; });
})();`;

type SlowNetState = { maxBuffered: number; closes: number; opened: number };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSlowNetworkProfile(
  browser: Browser,
  web: StaticServer,
  bundles: { page: string; probe: string },
  profile: LinkProfile,
  options: { durationMs: number; nodes: number; log(m: string): void },
): Promise<SlowNetworkResult> {
  const { createSamepageSide } = await import('../samepage/side.ts');
  let proxy: ThrottleProxy | null = null;
  let customerPage: Page | null = null;
  let last: SlowNetState = { maxBuffered: 0, closes: 0, opened: 0 };
  const side = await createSamepageSide(browser, web, bundles, {
    async customerServer(server) {
      proxy = await startThrottleProxy(server.port, profile);
      return proxy.url;
    },
    async prepareCustomerPage(page) {
      customerPage = page;
      await page.addInitScript({ content: SOCKET_PROBE });
      // Read the counters just before the bench closes the tab.
      page.on('close', () => undefined);
    },
  });
  const readState = async () => {
    const page = customerPage as Page | null;
    if (page && !page.isClosed()) last = (await page.evaluate(() => (window as unknown as { __slowNet: SlowNetState }).__slowNet).catch(() => last)) ?? last;
  };
  const poller = setInterval(() => void readState(), 250);
  try {
    const p = proxy as ThrottleProxy | null;
    const before = { up: p?.stats.bytesUp ?? 0, t: Date.now() };
    const steady = await runSteady(browser, side, { viewers: 1, nodes: options.nodes, durationMs: options.durationMs, probeIntervalMs: 50, log: options.log });
    clearInterval(poller);
    const stats = (proxy as ThrottleProxy | null)?.stats;
    const seconds = (Date.now() - before.t) / 1000;
    return {
      profile: profile.name,
      bps: profile.bps,
      rtt_ms: profile.rttMs,
      loss: profile.loss,
      latency_p50_ms: steady.p50 === null ? null : Math.round(steady.p50),
      latency_p95_ms: steady.p95 === null ? null : Math.round(steady.p95),
      latency_p99_ms: steady.p99 === null ? null : Math.round(steady.p99),
      lost_markers: steady.lost,
      sdk_bytes_per_s: Math.round(steady.bytesPerS),
      link_bytes_per_s_up_whole_run: Math.round(((stats?.bytesUp ?? 0) - before.up) / seconds),
      sdk_max_buffered_bytes: last.maxBuffered,
      link_max_queued_bytes: stats?.maxQueued ?? 0,
      disconnects: last.closes,
      proxy_connections_ended: stats?.closed ?? 0,
      lost_segments: stats?.lostSegments ?? 0,
    };
  } finally {
    clearInterval(poller);
    await side.close().catch(() => undefined);
    await (proxy as ThrottleProxy | null)?.close();
    await sleep(100);
  }
}

export async function runSlowNetwork(browser: Browser, web: StaticServer, bundles: { page: string; probe: string }, options: { quick: boolean; log(m: string): void }): Promise<Record<string, SlowNetworkResult | { error: string }>> {
  const out: Record<string, SlowNetworkResult | { error: string }> = {};
  for (const profile of PROFILES) {
    try {
      const r = await runSlowNetworkProfile(browser, web, bundles, profile, { durationMs: options.quick ? 6000 : 10_000, nodes: 10_000, log: options.log });
      options.log(`slow network ${profile.name}: ${JSON.stringify(r)}`);
      out[profile.name] = r;
    } catch (err) {
      options.log(`slow network ${profile.name} failed: ${String(err)}`);
      out[profile.name] = { error: String(err).split('\n')[0] ?? 'error' };
    }
  }
  return out;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const log = (m: string) => void process.stderr.write(`[slow-network] ${m}\n`);
  const [page, probe] = await Promise.all([bundleClient('workload/page.client.ts'), bundleClient('lib/replica-probe.client.ts')]);
  const web = await startStaticServer();
  const browser = await launchBrowser();
  try {
    const result = await runSlowNetwork(browser, web, { page, probe }, { quick: args.includes('--quick'), log });
    process.stdout.write(JSON.stringify(result, null, args.includes('--json') ? 0 : 2) + '\n');
  } finally {
    await browser.close();
    await web.close();
  }
  process.exit(0);
}
