/**
 * npm run bench [-- --json] [-- --quick] [-- --only=samepage|reference]
 *
 * Measures Samepage against the reference (rrweb 2.2.2 record → ws relay with permessage-deflate
 * → live Replayer) in headless Chromium on loopback. See bench/README.md for the method.
 * stdout: a table, or with --json exactly one JSON object. Progress goes to stderr.
 */
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './lib/browser.ts';
import { bundleClient } from './lib/bundle.ts';
import { median, ratio, round } from './lib/stats.ts';
import { runSteady, type SteadyResult } from './lib/steady.ts';
import { startStaticServer, type StaticServer } from './lib/static-server.ts';
import type { Side, SideName, SnapshotResult } from './lib/types.ts';
import { createReferenceSide } from './reference/side.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const QUICK = args.includes('--quick');
const ONLY = (args.find((a) => a.startsWith('--only='))?.split('=')[1] ?? null) as SideName | null;
const SIDES: SideName[] = ONLY ? [ONLY] : ['reference', 'samepage'];

const REPEATS = {
  steady: Number(process.env.BENCH_STEADY_REPEATS ?? (QUICK ? 1 : 3)),
  snapshot: Number(process.env.BENCH_SNAPSHOT_REPEATS ?? (QUICK ? 2 : 5)),
  join: Number(process.env.BENCH_JOIN_REPEATS ?? (QUICK ? 3 : 7)),
};
const STEADY_MS = 10_000;
const STEADY_NODES = 10_000;
const SNAPSHOT_SIZES = [1_000, 10_000, 50_000] as const;
const VIEWER_COUNTS = [1, 5] as const;

const errors: string[] = [];
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
const fail = (where: string, error: unknown): void => {
  const message = `${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  errors.push(message.split('\n')[0] ?? message);
  log(`ERROR ${message}`);
};

type PerSide<T> = Record<SideName, T>;
const perSide = <T>(make: () => T): PerSide<T> => ({ samepage: make(), reference: make() });

async function createSide(name: SideName, browser: Browser, web: StaticServer, bundles: { page: string; probe: string }): Promise<Side | null> {
  try {
    if (name === 'reference') return await createReferenceSide(browser, web, bundles);
    const dist = path.join(ROOT, 'packages/sdk/dist/sdk.js');
    if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: the SDK did not build (npm run build)`);
    if (!fs.existsSync(path.join(ROOT, 'packages/console/dist/index.html'))) throw new Error('packages/console/dist is missing: the console did not build');
    const { createSamepageSide } = await import('./samepage/side.ts');
    return await createSamepageSide(browser, web, bundles);
  } catch (error) {
    fail(`${name}: setup`, error);
    return null;
  }
}

function sdkSizes(): { loader: number | null; full: number | null; loader_raw: number | null; capture_raw: number | null } {
  const dir = path.join(ROOT, 'packages/sdk/dist');
  const read = (f: string): Buffer | null => {
    try {
      return fs.readFileSync(path.join(dir, f));
    } catch {
      return null;
    }
  };
  const loader = read('sdk.js');
  const capture = read('capture.js');
  if (!loader) errors.push('sdk size: packages/sdk/dist/sdk.js is missing');
  if (!capture) errors.push('sdk size: packages/sdk/dist/capture.js is missing');
  const gz = (b: Buffer): number => zlib.gzipSync(b, { level: 9 }).length;
  return {
    loader: loader ? gz(loader) : null,
    full: loader && capture ? gz(loader) + gz(capture) : null,
    loader_raw: loader?.length ?? null,
    capture_raw: capture?.length ?? null,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const [pageJs, probeJs] = await Promise.all([bundleClient('workload/page.client.ts'), bundleClient('lib/replica-probe.client.ts')]);
  const bundles = { page: pageJs, probe: probeJs };
  const web = await startStaticServer();
  const browser = await launchBrowser();
  const sides = perSide<Side | null>(() => null);
  for (const name of SIDES) sides[name] = await createSide(name, browser, web, bundles);

  const steady = perSide(() => ({ 1: [] as SteadyResult[], 5: [] as SteadyResult[] }));
  const snapshots = perSide(() => Object.fromEntries(SNAPSHOT_SIZES.map((n) => [n, [] as SnapshotResult[]])) as Record<number, SnapshotResult[]>);
  const joins = perSide(() => ({ button: [] as number[], url: [] as number[] }));
  let slowNetwork: Record<string, unknown> | null = null;
  let wireBreakdown: unknown = null;
  let idle: unknown = null;
  let e2ee: unknown = null;
  let e2eeLatency: unknown = null;

  try {
    // Snapshot cost, 1k / 10k / 50k nodes.
    for (const nodes of SNAPSHOT_SIZES) {
      for (let r = 0; r < REPEATS.snapshot; r++) {
        for (const name of SIDES) {
          const side = sides[name];
          if (!side) continue;
          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          try {
            const s = await side.snapshot(context, nodes);
            snapshots[name][nodes]!.push(s);
            log(`snapshot ${name} ${nodes} #${r + 1}: block ${s.blockMs.toFixed(1)} ms (next ${s.secondBlockMs?.toFixed(1)} ms), to-send ${s.toSendMs.toFixed(1)} ms, ${s.wireBytes} B wire`);
          } catch (error) {
            fail(`${name}: snapshot ${nodes}`, error);
          } finally {
            await context.close();
          }
        }
      }
    }

    // Join time, 10k nodes: one idle sharing customer, a fresh viewer page per repeat.
    for (const name of SIDES) {
      const side = sides[name];
      if (!side) continue;
      const customerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const viewerContext = await side.viewerContext().catch((e: unknown) => (fail(`${name}: viewer context`, e), null));
      try {
        if (!viewerContext) continue;
        const customer = await side.openCustomer(customerContext, STEADY_NODES);
        // A warm-up join (first console/page load compiles and caches scripts), not counted.
        await (await side.openViewer(viewerContext, customer)).page.close();
        const modes: Array<'button' | 'url'> = name === 'samepage' ? ['button', 'url'] : ['url'];
        for (let r = 0; r < REPEATS.join; r++) {
          for (const mode of modes) {
            try {
              const v = await side.openViewer(viewerContext, customer, mode);
              if (v.joinMs !== null) joins[name][mode].push(v.joinMs);
              log(`join ${name} (${mode}) #${r + 1}: ${v.joinMs?.toFixed(1)} ms`);
              await v.page.close();
            } catch (error) {
              fail(`${name}: join (${mode})`, error);
            }
          }
        }
        await customer.close();
      } catch (error) {
        fail(`${name}: join`, error);
      } finally {
        await viewerContext?.close();
        await customerContext.close();
      }
    }

    // Steady workload with 1 and 5 viewers, interleaved between sides.
    for (let r = 0; r < REPEATS.steady; r++) {
      for (const viewers of VIEWER_COUNTS) {
        for (const name of SIDES) {
          const side = sides[name];
          if (!side) continue;
          try {
            const s = await runSteady(browser, side, { viewers, nodes: STEADY_NODES, durationMs: STEADY_MS, probeIntervalMs: 50, log });
            steady[name][viewers].push(s);
            log(
              `steady ${name} viewers=${viewers} #${r + 1}: p50 ${s.p50?.toFixed(1)} p95 ${s.p95?.toFixed(1)} p99 ${s.p99?.toFixed(1)} max ${s.max?.toFixed(1)} ms, ` +
                `${(s.bytesPerS / 1024).toFixed(1)} KiB/s wire${s.rawBytesPerS !== null ? `, ${(s.rawBytesPerS / 1024).toFixed(1)} KiB/s raw` : ''}, ` +
                `${s.framesPerS.toFixed(1)} frames/s, lost ${s.lost}, tick lag max ${s.workload.maxTickLagMs.toFixed(0)} ms, rebuilds ${s.rebuilds.join('/')}`,
            );
          } catch (error) {
            fail(`${name}: steady viewers=${viewers}`, error);
          }
        }
      }
    }
    // The customer behind a throttled link (bench/slow-network/); Samepage only.
    if (SIDES.includes('samepage') && process.env.BENCH_SKIP_SLOW_NETWORK !== '1') {
      const { runSlowNetwork } = await import('./slow-network/run.ts');
      slowNetwork = await runSlowNetwork(browser, web, bundles, { quick: QUICK, log });
    }
    // Where the bytes go, per frame part and event kind (bench/wire/); BENCH_SKIP_WIRE=1 skips it.
    if (process.env.BENCH_SKIP_WIRE !== '1') {
      const { runWireBreakdown } = await import('./wire/run.ts');
      wireBreakdown = await runWireBreakdown(browser, web, bundles, { sides: SIDES, durationMs: QUICK ? 6000 : STEADY_MS, log }).catch((error: unknown) => (fail('wire breakdown', error), null));
    }
    // The loader's cost on an idle page, against the same page without it (bench/idle/); BENCH_SKIP_IDLE=1 skips it.
    if (SIDES.includes('samepage') && process.env.BENCH_SKIP_IDLE !== '1') {
      const { runIdle } = await import('./idle/run.ts');
      idle = await runIdle(browser, web, { quick: QUICK, log }).catch((error: unknown) => (fail('idle', error), null));
    }
    // End-to-end encryption cost on Chromium's WebCrypto (bench/e2ee.ts); BENCH_SKIP_E2EE=1 skips it.
    if (process.env.BENCH_SKIP_E2EE !== '1') {
      const { runE2eeBench } = await import('./e2ee.ts');
      e2ee = await runE2eeBench(browser, web, { quick: QUICK, log }).catch((error: unknown) => (fail('e2ee', error), null));
    }
    // Encryption on versus off: steady-workload latency with 5 viewers (bench/e2ee-latency.ts).
    if (SIDES.includes('samepage') && process.env.BENCH_SKIP_E2EE !== '1') {
      const { runE2eeLatency } = await import('./e2ee-latency.ts');
      e2eeLatency = await runE2eeLatency(browser, web, bundles, { quick: QUICK, log }).catch((error: unknown) => (fail('e2ee latency', error), null));
    }
  } finally {
    for (const name of SIDES) await sides[name]?.close().catch(() => undefined);
    await browser.close();
    await web.close();
  }

  // The load test (bench/load/) in its own processes, --quick; BENCH_SKIP_LOAD=1 skips it.
  let load: unknown = null;
  if (process.env.BENCH_SKIP_LOAD !== '1') {
    log('load test (npm run bench:load -- --quick --json)');
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/load/run.ts'), '--json', '--quick'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 10 * 60_000 });
    try {
      load = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? 'null');
    } catch {
      fail('load test', new Error(`no JSON (exit ${run.status})`));
    }
  }

  // Aggregate: each figure is the median over runs.
  const lat = (name: SideName, v: 1 | 5, key: 'p50' | 'p95' | 'p99' | 'max'): number | null => round(median(steady[name][v].map((s) => s[key])));
  const latencyBlock = (key: 'p50' | 'p95' | 'p99' | 'max') =>
    Object.fromEntries(SIDES_ALL.map((n) => [n, { viewers_1: lat(n, 1, key), viewers_5: lat(n, 5, key) }])) as PerSide<{ viewers_1: number | null; viewers_5: number | null }>;
  const bytes = (name: SideName): number | null => round(median(steady[name][1].map((s) => s.bytesPerS)), 0);
  const snap = (name: SideName, nodes: number, key: keyof SnapshotResult): number | null =>
    round(median(snapshots[name][nodes]!.map((s) => (typeof s[key] === 'number' ? (s[key] as number) : null))), key.endsWith('Ms') ? 1 : 0);
  const snapshotTable = (name: SideName) =>
    Object.fromEntries(
      SNAPSHOT_SIZES.map((n) => [
        `${n / 1000}k`,
        {
          nodes: snap(name, n, 'nodes'),
          block_ms: snap(name, n, 'blockMs'),
          second_block_ms: snap(name, n, 'secondBlockMs'),
          to_send_ms: snap(name, n, 'toSendMs'),
          wire_bytes: snap(name, n, 'wireBytes'),
          json_bytes: snap(name, n, 'jsonBytes'),
          ...(name === 'reference' ? { deflate_raw_bytes: snap(name, n, 'deflateRawBytes') } : {}),
        },
      ]),
    );
  const p99 = latencyBlock('p99');
  const joinMs = { samepage: round(median(joins.samepage.button)), reference: round(median(joins.reference.url)) };
  const snapshotMs50k = { samepage: snap('samepage', 50_000, 'blockMs'), reference: snap('reference', 50_000, 'blockMs') };
  const bytesPerS = { samepage: bytes('samepage'), reference: bytes('reference') };
  // The page's achieved tick rate varies with the machine's load; bytes per workload tick do not.
  const perTick = (name: SideName): number | null => round(median(steady[name][1].map((s) => s.bytesPerS / (s.workload.ticks / (s.workload.elapsedMs / 1000)))), 0);
  const bytesPerTick = { samepage: perTick('samepage'), reference: perTick('reference') };
  const sdk = sdkSizes();
  const snapshotWire = (name: SideName, n: number): number | null => snap(name, n, 'wireBytes');

  const result = {
    latency_p99_ms: p99,
    latency_p95_ms: latencyBlock('p95'),
    latency_p50_ms: latencyBlock('p50'),
    latency_max_ms: latencyBlock('max'),
    latency_lost_markers: Object.fromEntries(
      SIDES_ALL.map((n) => [n, { viewers_1: sum(steady[n][1].map((s) => s.lost)), viewers_5: sum(steady[n][5].map((s) => s.lost)) }]),
    ),
    replica_rebuilds_during_workload: Object.fromEntries(
      SIDES_ALL.map((n) => [n, { viewers_1: sum(steady[n][1].flatMap((s) => s.rebuilds)), viewers_5: sum(steady[n][5].flatMap((s) => s.rebuilds)) }]),
    ),
    bytes_per_s: bytesPerS,
    bytes_per_tick: bytesPerTick,
    bytes_per_s_raw_json: { reference: round(median(steady.reference[1].map((s) => s.rawBytesPerS)), 0) },
    bytes_per_s_viewers_5: { samepage: round(median(steady.samepage[5].map((s) => s.bytesPerS)), 0), reference: round(median(steady.reference[5].map((s) => s.bytesPerS)), 0) },
    frames_per_s: { samepage: round(median(steady.samepage[1].map((s) => s.framesPerS))), reference: round(median(steady.reference[1].map((s) => s.framesPerS))) },
    join_ms_10k: joinMs,
    join_ms_10k_console_url: { samepage: round(median(joins.samepage.url)) },
    snapshot_ms_50k: snapshotMs50k,
    snapshot: { samepage: snapshotTable('samepage'), reference: snapshotTable('reference') },
    sdk_gzip_bytes: { loader: sdk.loader, full: sdk.full },
    sdk_raw_bytes: { loader: sdk.loader_raw, capture: sdk.capture_raw },
    ratios: {
      latency_p50_viewers_1: ratio(lat('samepage', 1, 'p50'), lat('reference', 1, 'p50')),
      latency_p50_viewers_5: ratio(lat('samepage', 5, 'p50'), lat('reference', 5, 'p50')),
      latency_p99_viewers_1: ratio(p99.samepage.viewers_1, p99.reference.viewers_1),
      latency_p99_viewers_5: ratio(p99.samepage.viewers_5, p99.reference.viewers_5),
      bytes_per_s: ratio(bytesPerS.samepage, bytesPerS.reference),
      bytes_per_tick: ratio(bytesPerTick.samepage, bytesPerTick.reference),
      join_ms_10k: ratio(joinMs.samepage, joinMs.reference),
      snapshot_ms_1k: ratio(snap('samepage', 1000, 'blockMs'), snap('reference', 1000, 'blockMs')),
      snapshot_ms_10k: ratio(snap('samepage', 10_000, 'blockMs'), snap('reference', 10_000, 'blockMs')),
      snapshot_ms_50k: ratio(snapshotMs50k.samepage, snapshotMs50k.reference),
      snapshot_wire_1k: ratio(snapshotWire('samepage', 1000), snapshotWire('reference', 1000)),
      snapshot_wire_10k: ratio(snapshotWire('samepage', 10_000), snapshotWire('reference', 10_000)),
      snapshot_wire_50k: ratio(snapshotWire('samepage', 50_000), snapshotWire('reference', 50_000)),
    },
    targets: {
      latency_p99_viewers_5_le_0_6x_reference: check(p99.samepage.viewers_5, p99.reference.viewers_5, (a, b) => a <= 0.6 * b),
      bytes_per_s_le_reference: check(bytesPerS.samepage, bytesPerS.reference, (a, b) => a <= b),
      join_le_reference_and_under_350ms: check(joinMs.samepage, joinMs.reference, (a, b) => a <= b && a < 350),
      loader_under_5kb_gzip: sdk.loader === null ? null : sdk.loader <= 5 * 1024,
      full_under_53_5kb_gzip: sdk.full === null ? null : sdk.full <= 53.5 * 1024,
      // Issue 6 (speed and scale).
      bytes_per_s_le_0_25x_reference: check(bytesPerS.samepage, bytesPerS.reference, (a, b) => a <= 0.25 * b),
      latency_p99_viewers_5_le_0_5x_reference: check(p99.samepage.viewers_5, p99.reference.viewers_5, (a, b) => a <= 0.5 * b),
      join_10k_under_400ms: joinMs.samepage === null ? null : joinMs.samepage < 400,
      snapshot_block_50k_le_100ms: snapshotMs50k.samepage === null ? null : snapshotMs50k.samepage <= 100,
    },
    runs: {
      repeats: REPEATS,
      quick: QUICK,
      steady: steady,
      join_ms: joins,
      snapshot: snapshots,
    },
    errors,
    slow_network: slowNetwork,
    wire_breakdown: wireBreakdown,
    idle,
    e2ee,
    e2ee_latency: e2eeLatency,
    load,
    elapsed_s: round((Date.now() - started) / 1000, 0),
  };

  if (JSON_OUT) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(renderTable(result) + '\n');
    for (const [name, r] of Object.entries(slowNetwork ?? {})) process.stdout.write(`slow network ${name}: ${JSON.stringify(r)}\n`);
    if (e2ee) process.stdout.write(`e2ee: ${JSON.stringify(e2ee)}\n`);
    if (e2eeLatency) process.stdout.write(`e2ee latency (on vs off, 5 viewers): ${JSON.stringify(e2eeLatency)}\n`);
    if (wireBreakdown) process.stdout.write(`wire breakdown: ${JSON.stringify(wireBreakdown)}\n`);
    if (idle) process.stdout.write(`idle: ${JSON.stringify(idle)}\n`);
    if (load) process.stdout.write(`load (quick): ${JSON.stringify(load)}\n`);
  }
  if (errors.length) log(`${errors.length} error(s):\n  ${errors.join('\n  ')}`);
}

const SIDES_ALL: SideName[] = ['samepage', 'reference'];

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function check(a: number | null, b: number | null, ok: (a: number, b: number) => boolean): boolean | null {
  return a === null || b === null ? null : ok(a, b);
}

function renderTable(r: {
  latency_p50_ms: PerSide<{ viewers_1: number | null; viewers_5: number | null }>;
  latency_p95_ms: PerSide<{ viewers_1: number | null; viewers_5: number | null }>;
  latency_p99_ms: PerSide<{ viewers_1: number | null; viewers_5: number | null }>;
  bytes_per_s: PerSide<number | null>;
  bytes_per_tick: PerSide<number | null>;
  bytes_per_s_raw_json: { reference: number | null };
  join_ms_10k: PerSide<number | null>;
  join_ms_10k_console_url: { samepage: number | null };
  snapshot: PerSide<Record<string, Record<string, number | null>>>;
  sdk_gzip_bytes: { loader: number | null; full: number | null };
  targets: Record<string, boolean | null>;
  elapsed_s: number | null;
}): string {
  const fmt = (v: number | null | undefined, unit = ''): string => (v === null || v === undefined ? 'n/a' : `${v}${unit}`);
  const kib = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : `${(v / 1024).toFixed(1)} KiB`);
  const rat = (a: number | null | undefined, b: number | null | undefined): string => {
    const x = ratio(a ?? null, b ?? null);
    return x === null ? 'n/a' : `${x.toFixed(2)}x`;
  };
  const rows: Array<[string, string, string, string]> = [];
  const row = (label: string, sp: string, ref: string, ratioText: string): void => void rows.push([label, sp, ref, ratioText]);
  for (const v of ['viewers_1', 'viewers_5'] as const) {
    for (const [k, block] of [
      ['p50', r.latency_p50_ms],
      ['p95', r.latency_p95_ms],
      ['p99', r.latency_p99_ms],
    ] as const) {
      row(`latency ${k}, ${v.replace('_', ' ')} (ms)`, fmt(block.samepage[v]), fmt(block.reference[v]), rat(block.samepage[v], block.reference[v]));
    }
  }
  row('bytes/s on the wire, steady 10k (KiB/s)', kib(r.bytes_per_s.samepage), kib(r.bytes_per_s.reference), rat(r.bytes_per_s.samepage, r.bytes_per_s.reference));
  row('  bytes per workload tick (B)', fmt(r.bytes_per_tick.samepage), fmt(r.bytes_per_tick.reference), rat(r.bytes_per_tick.samepage, r.bytes_per_tick.reference));
  row('  reference raw JSON (KiB/s)', '', kib(r.bytes_per_s_raw_json.reference), '');
  row('join 10k, press Join -> painted (ms)', fmt(r.join_ms_10k.samepage), fmt(r.join_ms_10k.reference), rat(r.join_ms_10k.samepage, r.join_ms_10k.reference));
  row('  console via /console/join/CODE (ms)', fmt(r.join_ms_10k_console_url.samepage), '', '');
  for (const size of ['1k', '10k', '50k']) {
    const sp = r.snapshot.samepage[size] ?? {};
    const ref = r.snapshot.reference[size] ?? {};
    row(`snapshot ${size}: main-thread block (ms)`, fmt(sp.block_ms), fmt(ref.block_ms), rat(sp.block_ms, ref.block_ms));
    row(`snapshot ${size}: start -> sent (ms)`, fmt(sp.to_send_ms), fmt(ref.to_send_ms), rat(sp.to_send_ms, ref.to_send_ms));
    row(`snapshot ${size}: wire size`, kib(sp.wire_bytes), kib(ref.wire_bytes), rat(sp.wire_bytes, ref.wire_bytes));
    row(`snapshot ${size}: JSON size`, kib(sp.json_bytes), kib(ref.json_bytes), rat(sp.json_bytes, ref.json_bytes));
  }
  row('SDK loader, gzip -9', fmt(r.sdk_gzip_bytes.loader, ' B'), '', '');
  row('SDK loader + capture, gzip -9', fmt(r.sdk_gzip_bytes.full, ' B'), '', '');
  const header: [string, string, string, string] = ['figure (median of runs)', 'samepage', 'reference', 'ratio'];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[header, ...rows].map((x) => x[i]!.length)));
  const line = (x: string[]): string => x.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  out.push('targets: ' + Object.entries(r.targets).map(([k, v]) => `${k}=${v === null ? 'n/a' : v ? 'PASS' : 'FAIL'}`).join(', '));
  out.push(`elapsed ${r.elapsed_s} s`);
  return out.join('\n');
}

main().catch((error: unknown) => {
  fail('bench', error);
  process.exitCode = 1;
});
