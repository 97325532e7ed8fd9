/**
 * End-to-end encryption on versus off in one run (issue 9, docs/E2EE.md "Cost"): the steady
 * workload (bench/lib/steady.ts: a 10k-node page changing every 16 ms, a latency marker every
 * 50 ms) with 5 viewers, once on a site without encryption and once on a site with it, the runs
 * interleaved. With encryption every viewer is a console that paired with the customer's tab
 * (the tab confirms the codes by itself here), the DOM stream is sealed in the tab and opened in
 * each console. Target: p99 latency with encryption within 10 % of without.
 *
 *   node --import tsx bench/e2ee-latency.ts [--json] [--quick]
 * Also the "e2ee_latency" section of `npm run bench` (BENCH_SKIP_E2EE=1 skips it).
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './lib/browser.ts';
import { bundleClient } from './lib/bundle.ts';
import { median, round } from './lib/stats.ts';
import { runSteady, type SteadyResult } from './lib/steady.ts';
import { startStaticServer, type StaticServer } from './lib/static-server.ts';
import { createSamepageSide } from './samepage/side.ts';

/** Target from issue 9: latency p99 with 5 viewers within 10 % of unencrypted. */
export const P99_TARGET_RATIO = 1.1;
const VIEWERS = 5;
const NODES = 10_000;

function summary(runs: SteadyResult[]) {
  const pick = (f: (r: SteadyResult) => number | null) => {
    const values = runs.map(f).filter((v): v is number => v !== null);
    return values.length ? round(median(values)!, 1) : null;
  };
  return { runs: runs.length, p50_ms: pick((r) => r.p50), p95_ms: pick((r) => r.p95), p99_ms: pick((r) => r.p99), max_ms: pick((r) => r.max), lost: runs.reduce((n, r) => n + r.lost, 0), kib_per_s: pick((r) => r.bytesPerS / 1024) };
}

export async function runE2eeLatency(browser: Browser, web: StaticServer, bundles: { page: string; probe: string }, options: { quick?: boolean; log?: (m: string) => void } = {}) {
  const log = options.log ?? (() => undefined);
  const repeats = options.quick ? 1 : 3;
  const durationMs = options.quick ? 6000 : 10_000;
  const plain = await createSamepageSide(browser, web, bundles);
  const sealed = await createSamepageSide(browser, web, bundles, { e2ee: true });
  const off: SteadyResult[] = [];
  const on: SteadyResult[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      for (const [name, side, into] of [['off', plain, off], ['on', sealed, on]] as const) {
        const s = await runSteady(browser, side, { viewers: VIEWERS, nodes: NODES, durationMs, probeIntervalMs: 50, log });
        into.push(s);
        log(`e2ee ${name} viewers=${VIEWERS} #${r + 1}: p50 ${s.p50?.toFixed(1)} p99 ${s.p99?.toFixed(1)} max ${s.max?.toFixed(1)} ms, lost ${s.lost}, ${(s.bytesPerS / 1024).toFixed(1)} KiB/s`);
      }
    }
  } finally {
    await plain.close().catch(() => undefined);
    await sealed.close().catch(() => undefined);
  }
  const a = summary(off);
  const b = summary(on);
  const ratio = a.p99_ms && b.p99_ms ? round(b.p99_ms / a.p99_ms, 2) : null;
  return { viewers: VIEWERS, nodes: NODES, off: a, on: b, p99_ratio: ratio, p99_target_ratio: P99_TARGET_RATIO, meets_target: ratio !== null && ratio <= P99_TARGET_RATIO };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const json = process.argv.includes('--json');
  const quick = process.argv.includes('--quick');
  const [page, probe] = await Promise.all([bundleClient('workload/page.client.ts'), bundleClient('lib/replica-probe.client.ts')]);
  const web = await startStaticServer();
  const browser = await launchBrowser();
  try {
    const result = await runE2eeLatency(browser, web, { page, probe }, { quick, log: (m) => void process.stderr.write(`[bench] ${m}\n`) });
    process.stdout.write(json ? JSON.stringify(result) + '\n' : `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await web.close();
  }
}
