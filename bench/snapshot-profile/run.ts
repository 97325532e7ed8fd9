/**
 * Where the time of record()'s synchronous full snapshot goes on the bench's generated page
 * (docs/PERFORMANCE.md, "Snapshot slicing"). Chromium's sampling profiler (CDP Profiler domain,
 * 100 µs) runs around one record() call; each sample is attributed to "ours" when one of the
 * SDK's functions (redaction hooks) is on its stack, else to rrweb. For our recorder it also
 * times our redaction pass over that snapshot in one go (`scrub_pass_ms`: the CPU the slicer spreads).
 *
 *   node --import tsx bench/snapshot-profile/run.ts [nodes=50000] [samepage,bare] [repeats=3]
 *
 * Prints one JSON line of medians per mode; each run's breakdown goes to stderr.
 */
import { launchBrowser } from '../lib/browser.ts';
import { bundleClient } from '../lib/bundle.ts';
import { startStaticServer } from '../lib/static-server.ts';
import { generatePage } from '../workload/page.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const nodes = Number(process.argv[2] ?? 50_000);
const modes = (process.argv[3] ?? 'samepage,bare').split(',').filter((m) => m === 'samepage' || m === 'bare');
const repeats = Number(process.argv[4] ?? 3);
/** Functions of packages/sdk/src that run inside rrweb's serializer. */
const OURS = /^(maskInput|maskText|maskValue|closestMatch|isValueMasked|isSensitiveField|isTextRedacted|isBlocked|looksLikeCardField|hasSensitiveAutocomplete|toWords|isFormField)\d*$/; // esbuild may suffix a renamed function
/** rrweb's per-node checks that evaluate blockSelector / maskTextSelector (their self time). */
const SELECTOR_CHECKS = /^(_isBlockedElement|needMaskingText|classMatchesRegex)$/;

function attribute(profile: Profile): { totalMs: number; oursMs: number; top: Array<[string, number]>; ours: Record<string, number>; selectorMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  let totalMs = 0;
  let oursMs = 0;
  const ours: Record<string, number> = {};
  let selectorMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(id)!;
    const name = leaf.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') return;
    totalMs += ms;
    self.set(name, (self.get(name) ?? 0) + ms);
    // "ours" when one of our functions is on the stack (the outermost one names it); rrweb's
    // own selector checks (which run our selectors) are counted apart.
    let outer: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = byId.get(cur)!.callFrame.functionName;
      if (fn === 'startRecorder' || fn === 'timeIt') break;
      if (OURS.test(fn)) outer = fn;
    }
    if (outer) {
      oursMs += ms;
      ours[outer] = (ours[outer] ?? 0) + ms;
    } else if (SELECTOR_CHECKS.test(name)) selectorMs += ms;
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return { totalMs, oursMs, selectorMs, top, ours };
}

const server = await startStaticServer();
const browser = await launchBrowser();
try {
  const bundle = await bundleClient('snapshot-profile/profile.client.ts');
  server.set('/client.js', bundle, 'text/javascript');
  const page = generatePage({ nodes, head: '<script src="/client.js"></script>' });
  server.set('/', page.html);
  const results: Record<string, Array<{ recordMs: number; oursMs: number; selectorMs: number; scrubMs: number }>> = {};
  for (let r = 0; r < repeats; r++) {
    for (const mode of modes) {
      const tab = await browser.newPage();
      await tab.goto(server.origin + '/');
      const cdp = await tab.context().newCDPSession(tab);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      const ms = Number(await tab.evaluate(mode === 'bare' ? 'window.__snapProfile.runBare()' : 'window.__snapProfile.runSamepage()'));
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
      const a = attribute(profile);
      // Our redaction pass over the same snapshot, unsliced (its total CPU, not a block).
      const scrubMs = mode === 'samepage' ? Number(await tab.evaluate('window.__snapProfile.scrubSnapshot()')) : 0;
      (results[mode] ??= []).push({ recordMs: ms, oursMs: a.oursMs, selectorMs: a.selectorMs, scrubMs });
      const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 10) / 10]));
      process.stderr.write(`${JSON.stringify({ mode, recordMs: Math.round(ms), sampledMs: Math.round(a.totalMs), oursMs: Math.round(a.oursMs), selectorMs: Math.round(a.selectorMs), ours: round(a.ours), topSelf: a.top.slice(0, 8).map(([n, t]) => `${n} ${t.toFixed(1)}`) })}\n`);
      await tab.close();
    }
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round(s[Math.floor(s.length / 2)]! * 10) / 10;
  };
  const summary = Object.fromEntries(
    Object.entries(results).map(([mode, rs]) => [mode, { record_ms: median(rs.map((r) => r.recordMs)), ours_ms: median(rs.map((r) => r.oursMs)), selector_checks_ms: median(rs.map((r) => r.selectorMs)), ...(mode === 'samepage' ? { scrub_pass_ms: median(rs.map((r) => r.scrubMs)) } : {}), runs: rs.length }]),
  );
  console.log(JSON.stringify({ nodes: page.nodes, ...summary }));
} finally {
  await browser.close();
  await server.close();
}
