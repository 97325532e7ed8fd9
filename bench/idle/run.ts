/**
 * The SDK's cost on an idle page, before any session: only the loader runs (issue 6, "A lean
 * wire"). The same 1k-node page is opened twice side by side, once without Samepage and once with
 * the one script tag, and each is left alone. Per page, from CDP `Performance.getMetrics` and a
 * long-task observer in the page:
 *   - script_ms / task_ms: main-thread time running script / running any task;
 *   - long_tasks / long_task_ms: tasks over 50 ms and their total;
 *   - js_heap_kb: JS heap in use;
 * over the first seconds after navigation (`first`) and over the idle period after it (`idle`).
 * The SDK's network traffic is counted at TCP level by a pass-through proxy in front of the
 * server (the loader's GET of sdk.js and the presence WebSocket, pings included).
 *
 *   node --import tsx bench/idle/run.ts [--quick] [--json]     (after npm run build)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { startServer } from '@samepage/server';
import { launchBrowser } from '../lib/browser.ts';
import { startStaticServer, type StaticServer } from '../lib/static-server.ts';
import { startThrottleProxy, type ThrottleProxy } from '../slow-network/proxy.ts';
import { generatePage } from '../workload/page.ts';

export interface IdleWindow {
  seconds: number;
  script_ms: number;
  task_ms: number;
  long_tasks: number;
  long_task_ms: number;
  /** SDK traffic, both directions, TCP payload (0 without the SDK). */
  bytes_up: number;
  bytes_down: number;
}

export interface IdlePage {
  first: IdleWindow;
  idle: IdleWindow;
  js_heap_kb: number;
  /** HTTP requests the page made to the Samepage server, WebSockets it opened there, and their messages. */
  sdk_requests: number;
  sdk_sockets: number;
  ws_messages: { first: number; idle: number };
}

export interface IdleResult {
  nodes: number;
  none: IdlePage;
  sdk: IdlePage;
  /** sdk - none, per window; the idle window's bytes scaled to one minute. */
  sdk_cost: { first: Omit<IdleWindow, 'seconds'>; idle_per_minute: Omit<IdleWindow, 'seconds'>; js_heap_kb: number };
}

const LONG_TASKS = `window.__idleLong=[];try{new PerformanceObserver(l=>{for(const e of l.getEntries())window.__idleLong.push([e.startTime,e.duration])}).observe({type:'longtask',buffered:true})}catch(e){}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

interface Sample {
  script: number;
  task: number;
  heap: number;
  long: Array<[number, number]>;
  up: number;
  down: number;
}

async function sample(page: Page, cdp: CDPSession, proxy: ThrottleProxy | null): Promise<Sample> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  const m = (name: string): number => metrics.find((x) => x.name === name)?.value ?? 0;
  const long = (await page.evaluate('window.__idleLong.slice()')) as Array<[number, number]>;
  return { script: m('ScriptDuration') * 1000, task: m('TaskDuration') * 1000, heap: m('JSHeapUsedSize') / 1024, long, up: proxy?.stats.bytesUp ?? 0, down: proxy?.stats.bytesDown ?? 0 };
}

function windowOf(a: Sample | null, b: Sample, fromMs: number, toMs: number): IdleWindow {
  const long = b.long.filter(([start]) => start >= fromMs && start < toMs);
  return {
    seconds: round((toMs - fromMs) / 1000),
    script_ms: round(b.script - (a?.script ?? 0)),
    task_ms: round(b.task - (a?.task ?? 0)),
    long_tasks: long.length,
    long_task_ms: round(long.reduce((s, [, d]) => s + d, 0)),
    bytes_up: b.up - (a?.up ?? 0),
    bytes_down: b.down - (a?.down ?? 0),
  };
}

async function measurePage(context: BrowserContext, url: string, proxy: ThrottleProxy | null, serverOrigin: string | null, firstMs: number, idleMs: number): Promise<IdlePage> {
  const page = await context.newPage();
  await page.addInitScript({ content: LONG_TASKS });
  let sdkRequests = 0;
  let sockets = 0;
  let messages = 0;
  page.on('request', (req) => void (serverOrigin && req.url().startsWith(serverOrigin) && (sdkRequests += 1)));
  page.on('websocket', (ws) => {
    sockets += 1;
    ws.on('framesent', () => void (messages += 1));
    ws.on('framereceived', () => void (messages += 1));
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' } as never);
  const upBefore = proxy?.stats.bytesUp ?? 0;
  const downBefore = proxy?.stats.bytesDown ?? 0;
  await page.goto(url, { waitUntil: 'load' });
  await sleep(firstMs);
  const a = await sample(page, cdp, proxy);
  a.up -= upBefore;
  a.down -= downBefore;
  // Script and task time count from the page's start (metrics are per page); bytes from before navigation.
  const firstEnd = (await page.evaluate('performance.now()')) as number;
  const first = windowOf(null, a, 0, firstEnd);
  const firstMessages = messages;
  await sleep(idleMs);
  const b = await sample(page, cdp, proxy);
  b.up -= upBefore;
  b.down -= downBefore;
  const idle = windowOf(a, b, firstEnd, Number.POSITIVE_INFINITY);
  idle.seconds = round(idleMs / 1000);
  await page.close();
  return { first, idle, js_heap_kb: round(b.heap), sdk_requests: sdkRequests, sdk_sockets: sockets, ws_messages: { first: firstMessages, idle: messages - firstMessages } };
}

const minus = (a: IdleWindow, b: IdleWindow, scale = 1): Omit<IdleWindow, 'seconds'> => ({
  script_ms: round((a.script_ms - b.script_ms) * scale),
  task_ms: round((a.task_ms - b.task_ms) * scale),
  long_tasks: a.long_tasks - b.long_tasks,
  long_task_ms: round((a.long_task_ms - b.long_task_ms) * scale),
  bytes_up: Math.round((a.bytes_up - b.bytes_up) * scale),
  bytes_down: Math.round((a.bytes_down - b.bytes_down) * scale),
});

export async function runIdle(browser: Browser, web: StaticServer, options: { quick: boolean; log(m: string): void }): Promise<IdleResult> {
  const firstMs = 5000;
  const idleMs = options.quick ? 20_000 : 60_000;
  const nodes = 1000;
  const server = await startServer({ env: {} });
  const proxy = await startThrottleProxy(server.port, { name: 'count', bps: 0, rttMs: 0, loss: 0 });
  try {
    const demo = await server.store.findSiteByKey(server.demoSiteKey);
    if (!demo) throw new Error('the demo site is missing');
    const site = await server.store.createSite({ tenantId: demo.tenantId, name: 'bench idle', allowedOrigins: [web.origin] });
    web.set('/idle/none.html', generatePage({ nodes, title: 'Idle, no SDK' }).html);
    web.set('/idle/sdk.html', generatePage({ nodes, title: 'Idle, loader', head: `<script src="${proxy.url}/sdk.js" data-site-key="${site.siteKey}" async></script>` }).html);
    const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
    try {
      // Side by side, so both see the same machine.
      const [none, sdk] = await Promise.all([
        measurePage(contexts[0]!, `${web.origin}/idle/none.html`, null, null, firstMs, idleMs),
        measurePage(contexts[1]!, `${web.origin}/idle/sdk.html`, proxy, proxy.url, firstMs, idleMs),
      ]);
      const result: IdleResult = {
        nodes,
        none,
        sdk,
        sdk_cost: { first: minus(sdk.first, none.first), idle_per_minute: minus(sdk.idle, none.idle, 60_000 / idleMs), js_heap_kb: round(sdk.js_heap_kb - none.js_heap_kb) },
      };
      options.log(`idle: ${JSON.stringify(result.sdk_cost)}`);
      return result;
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  } finally {
    await proxy.close();
    await server.close();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const log = (m: string): void => void process.stderr.write(`[idle] ${m}\n`);
  const web = await startStaticServer();
  const browser = await launchBrowser();
  try {
    const result = await runIdle(browser, web, { quick: args.includes('--quick'), log });
    process.stdout.write(JSON.stringify(result, null, args.includes('--json') ? 0 : 2) + '\n');
  } finally {
    await browser.close();
    await web.close();
  }
  process.exit(0);
}
