/**
 * Where the bytes go: the steady workload (1 viewer) on each side, with every frame the
 * customer's tab sends recorded and broken down (breakdown.ts).
 *
 *   node --import tsx bench/wire/run.ts [--json] [--quick] [--only=samepage|reference] [--save=DIR]
 *
 * --save writes each side's captured frames (base64) and the workload window to DIR, for
 * offline experiments. Run `npm run build` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../lib/browser.ts';
import { bundleClient } from '../lib/bundle.ts';
import { startStaticServer, type StaticServer } from '../lib/static-server.ts';
import { runSteady } from '../lib/steady.ts';
import type { SideName } from '../lib/types.ts';
import { analyzeReference, analyzeSamepage, type WireBreakdown } from './breakdown.ts';
import { tapSocketFrames, type FrameTap } from './tap.ts';

export interface WireBreakdownOptions {
  sides: SideName[];
  durationMs: number;
  log(message: string): void;
  saveDir?: string;
}

async function runSide(name: SideName, browser: Browser, web: StaticServer, bundles: { page: string; probe: string }, options: WireBreakdownOptions): Promise<WireBreakdown> {
  let tap: FrameTap | null = null;
  let prefix = '';
  const prepareCustomerPage = async (page: Page): Promise<void> => {
    tap = tapSocketFrames(page, prefix);
  };
  const side =
    name === 'samepage'
      ? await (await import('../samepage/side.ts')).createSamepageSide(browser, web, bundles, {
          async customerServer(server) {
            prefix = server.url.replace(/^http/, 'ws') + '/ws';
            return server.url;
          },
          prepareCustomerPage,
        })
      : await (async () => {
          prefix = web.origin.replace(/^http/, 'ws') + '/relay';
          return (await import('../reference/side.ts')).createReferenceSide(browser, web, bundles, { prepareCustomerPage });
        })();
  try {
    const steady = await runSteady(browser, side, { viewers: 1, nodes: 10_000, durationMs: options.durationMs, probeIntervalMs: 50, log: options.log });
    const t = tap as FrameTap | null;
    if (!t) throw new Error('no customer tab was tapped');
    const [start, end] = steady.window;
    if (options.saveDir) {
      fs.mkdirSync(options.saveDir, { recursive: true });
      const frames = t.frames.map((f) => ({ at: f.at, text: f.text, binary: f.binary?.toString('base64') ?? null }));
      fs.writeFileSync(path.join(options.saveDir, `${name}.json`), JSON.stringify({ window: steady.window, bytesPerS: steady.bytesPerS, workload: steady.workload, frames }));
    }
    const result = name === 'samepage' ? await analyzeSamepage(t.frames, start, end) : await analyzeReference(t.frames, start, end, steady.bytesPerS * ((end - start) / 1000));
    return { ...result, ticks_per_s: Math.round((steady.workload.ticks / (steady.workload.elapsedMs / 1000)) * 10) / 10, measured_bytes_per_s: Math.round(steady.bytesPerS) };
  } finally {
    await side.close().catch(() => undefined);
  }
}

export async function runWireBreakdown(browser: Browser, web: StaticServer, bundles: { page: string; probe: string }, options: WireBreakdownOptions): Promise<Partial<Record<SideName, WireBreakdown | { error: string }>>> {
  const out: Partial<Record<SideName, WireBreakdown | { error: string }>> = {};
  for (const name of options.sides) {
    try {
      out[name] = await runSide(name, browser, web, bundles, options);
      options.log(`wire breakdown ${name}: ${JSON.stringify(out[name])}`);
    } catch (error) {
      options.log(`wire breakdown ${name} failed: ${String(error)}`);
      out[name] = { error: String(error).split('\n')[0] ?? 'error' };
    }
  }
  return out;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='))?.split('=')[1] as SideName | undefined;
  const saveDir = args.find((a) => a.startsWith('--save='))?.split('=')[1];
  const log = (m: string): void => void process.stderr.write(`[wire] ${m}\n`);
  const [page, probe] = await Promise.all([bundleClient('workload/page.client.ts'), bundleClient('lib/replica-probe.client.ts')]);
  const web = await startStaticServer();
  const browser = await launchBrowser();
  try {
    const result = await runWireBreakdown(browser, web, { page, probe }, { sides: only ? [only] : ['reference', 'samepage'], durationMs: args.includes('--quick') ? 6000 : 10_000, log, ...(saveDir ? { saveDir } : {}) });
    process.stdout.write(JSON.stringify(result, null, args.includes('--json') ? 0 : 2) + '\n');
  } finally {
    await browser.close();
    await web.close();
  }
  process.exit(0);
}
