/**
 * One steady-workload run: a 10k-node customer page sharing live to V viewers; for 10 s the page
 * makes 50 text/attribute changes and 5 insertions/removals every 16 ms, scrolls the window and
 * inner scroll containers, and the mouse moves (real input through page.mouse); the latency
 * probe writes a marker every 50 ms. Returns latency percentiles and bytes per second.
 */
import type { Browser, Page } from 'playwright-core';
import { percentile } from './stats.ts';
import type { Side } from './types.ts';
import type { WorkloadReport } from '../workload/page.client.ts';

export interface SteadyOptions {
  viewers: number;
  nodes: number;
  durationMs: number;
  probeIntervalMs: number;
  log(message: string): void;
}

export interface SteadyResult {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
  /** Markers some viewer never showed (counted per viewer; they enter the percentiles as
   *  "still missing at the end of the run", a lower bound). */
  lost: number;
  bytesPerS: number;
  rawBytesPerS: number | null;
  framesPerS: number;
  workload: WorkloadReport;
  /** How often a viewer's replica document was replaced during the run (rebuilds). */
  rebuilds: number[];
  /** Date.now() when the workload started and ended (to cut a captured stream to the window). */
  window: [number, number];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function moveMouse(page: Page, isRunning: () => boolean): Promise<number> {
  let i = 0;
  while (isRunning()) {
    const t = Date.now();
    i += 1;
    await page.mouse.move(100 + 900 * Math.abs(Math.sin(i / 40)), 80 + 560 * Math.abs(Math.cos(i / 57)));
    const dt = Date.now() - t;
    if (dt < 16) await sleep(16 - dt);
  }
  return i;
}

export async function runSteady(browser: Browser, side: Side, options: SteadyOptions): Promise<SteadyResult> {
  const customerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewerContext = await side.viewerContext();
  try {
    const customer = await side.openCustomer(customerContext, options.nodes);
    const viewers: Page[] = [];
    for (let v = 0; v < options.viewers; v++) viewers.push((await side.openViewer(viewerContext, customer)).page);
    const rebuildsBefore = await Promise.all(viewers.map((p) => p.evaluate(() => window.__benchViewer.rebuilds())));
    await sleep(500);

    const w0 = customer.wire();
    const windowStart = Date.now();
    await customer.page.evaluate((ms) => window.__bench.startProbe(ms), options.probeIntervalMs);
    let running = true;
    const mouse = moveMouse(customer.page, () => running);
    const workload = await customer.page.evaluate(
      (durationMs) => window.__bench.runWorkload({ durationMs, intervalMs: 16, changes: 50, structural: 5 }),
      options.durationMs,
    );
    const w1 = customer.wire();
    const windowEnd = Date.now();
    running = false;
    const marks = await customer.page.evaluate(() => window.__bench.stopProbe());
    await mouse;
    await sleep(2000); // let the last markers arrive
    const observedUntil = await customer.page.evaluate(() => window.__bench.now());

    const latencies: number[] = [];
    let lost = 0;
    const rebuilds: number[] = [];
    for (const [index, viewer] of viewers.entries()) {
      const arrivals = new Map(await viewer.evaluate(() => window.__benchViewer.arrivals()));
      rebuilds.push((await viewer.evaluate(() => window.__benchViewer.rebuilds())) - (rebuildsBefore[index] ?? 0));
      for (const [seq, t] of marks) {
        const a = arrivals.get(seq);
        // A marker a viewer never showed counts with a lower bound: the end of the observation.
        if (a === undefined) (lost += 1), latencies.push(observedUntil - t);
        else latencies.push(a - t);
      }
    }
    const seconds = workload.elapsedMs / 1000;
    const result: SteadyResult = {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
      samples: latencies.length,
      lost,
      bytesPerS: (w1.wireBytes - w0.wireBytes) / seconds,
      rawBytesPerS: w1.rawBytes === null || w0.rawBytes === null ? null : (w1.rawBytes - w0.rawBytes) / seconds,
      framesPerS: (w1.frames - w0.frames) / seconds,
      workload,
      rebuilds,
      window: [windowStart, windowEnd],
    };
    for (const v of viewers) await v.close();
    await customer.close();
    return result;
  } finally {
    await viewerContext.close().catch(() => undefined);
    await customerContext.close().catch(() => undefined);
  }
}
