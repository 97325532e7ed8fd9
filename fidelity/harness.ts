/**
 * The fidelity harness: loads every corpus page in a customer's tab with the SDK, joins as an
 * agent in the console, and compares a screenshot of the customer's viewport with one of the
 * replica at the same size (pngjs + pixelmatch). See docs/FIDELITY.md.
 *
 * @example
 *   const report = await runFidelity({ engine: 'chromium', only: ['forms'] });
 *   console.log(report.pages[0].match);
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../e2e/support/browser.ts';
import { PNG } from 'pngjs';
import pixelmatch from 'pixelmatch';
import { startServer } from '@samepage/server';
import { CORPUS, type CorpusPage } from './corpus.ts';
import { ENGINES, RENDERING_ARGS, VIEWPORT, launchCustomer, type CustomerBrowser, type Engine } from './customer-browsers.ts';
import { startStaticServer } from './static-server.ts';
import {
  CUSTOMER_READY,
  MASK_RECTS,
  READ_CHECKS,
  REPLICA_PLACEHOLDER,
  REPLICA_SETTLE,
  TWO_FRAMES,
  UNSCALE_REPLICA_CSS,
  type MaskRect,
  type PlaceholderCheck,
  type SettleResult,
} from './page-scripts.ts';

export { ENGINES, VIEWPORT, type Engine };
/** pixelmatch's per-pixel colour threshold (0..1, YIQ/OKLab distance). */
export const PIXEL_THRESHOLD = 0.1;
export const TARGET = 0.99;

export interface PageResult {
  name: string;
  /** 1 − mismatched / compared pixels, where compared = all pixels minus the masked ones. */
  match: number;
  note?: string;
  /** Set when the page could not be measured at all (the harness failed, not the replica). */
  error?: string;
  /** State checks (corpus `checks`, and the placeholder of a cross-origin frame): failed ones have a detail. */
  checks?: CheckResult[];
  maskedPixels: number;
  ms: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What differed: "customer: X, replica: Y". */
  detail?: string;
}

export interface FidelityReport {
  engine: Engine;
  pages: PageResult[];
  ms: number;
}

export interface RunOptions {
  engine?: Engine;
  /** Page names to run; all when empty. */
  only?: readonly string[];
  /** Where the PNGs go; `fidelity/out` by default. */
  outDir?: string;
  log?: (line: string) => void;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PAGES_DIR = path.join(HERE, 'pages');
export const DEFAULT_OUT_DIR = path.join(HERE, 'out');

// ---- the run ---------------------------------------------------------------------------------

export async function runFidelity(options: RunOptions = {}): Promise<FidelityReport> {
  const engine = options.engine ?? 'chromium';
  const log = options.log ?? (() => undefined);
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const pages = options.only?.length ? CORPUS.filter((p) => options.only?.includes(p.name)) : CORPUS;
  const unknown = (options.only ?? []).filter((n) => !CORPUS.some((p) => p.name === n));
  if (unknown.length) throw new Error(`unknown page(s): ${unknown.join(', ')}; the corpus has ${CORPUS.map((p) => p.name).join(', ')}`);
  const started = Date.now();
  await mkdir(outDir, { recursive: true });

  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const server = await startServer({ log: false });
    cleanups.push(() => server.close());
    const demoSite = await server.store.findSiteByKey(server.demoSiteKey);
    if (!demoSite) throw new Error('the demo site is missing');

    let siteKey = '';
    let other = '';
    const main = await startStaticServer(PAGES_DIR, { server: server.url, siteKey: () => siteKey, otherOrigin: () => other });
    cleanups.push(() => main.close());
    const second = await startStaticServer(PAGES_DIR, { server: server.url, siteKey: () => siteKey, otherOrigin: () => main.origin });
    cleanups.push(() => second.close());
    other = second.origin;
    const site = await server.store.createSite({ tenantId: demoSite.tenantId, name: 'Fidelity corpus', allowedOrigins: [main.origin, second.origin] });
    siteKey = site.siteKey;
    log(`server ${server.url}, corpus ${main.origin} and ${second.origin}, engine ${engine}`);

    const customer = await launchCustomer(engine);
    cleanups.push(() => customer.close());
    const agentBrowser = await launchChromium({ extraArgs: RENDERING_ARGS });
    cleanups.push(() => agentBrowser.close());
    // Big enough that the console lays the replica out; it is shot unscaled anyway.
    const agentContext = await agentBrowser.newContext({ viewport: { width: 1440, height: 960 }, deviceScaleFactor: 1 });
    const login = await agentContext.request.post(`${server.url}/api/auth/login`, {
      data: { email: server.admin.email, password: server.admin.password },
      headers: { 'x-samepage-csrf': '1' },
    });
    if (!login.ok()) throw new Error(`agent login failed: HTTP ${login.status()} ${await login.text()}`);
    const agent = await agentContext.newPage();
    // What the console's browser refused to load for the replica (CSP, CORS, 404...).
    const agentProblems: string[] = [];
    agent.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|CORS/i.test(m.text())) agentProblems.push(m.text());
    });

    const results: PageResult[] = [];
    for (const entry of pages) {
      const t0 = Date.now();
      log(`${entry.name}: ...`);
      let result: PageResult;
      try {
        const base = entry.origin === 'server' ? server.url : main.origin;
        agentProblems.length = 0;
        result = await measurePage(entry, new URL(entry.path, base).href, customer, agent, server.url, outDir);
        const refused = summariseRefusals(agentProblems);
        if (refused) result.note = [result.note, refused].filter(Boolean).join('; ');
      } catch (error) {
        result = { name: entry.name, match: 0, error: (error as Error).message.split('\n')[0] ?? String(error), maskedPixels: 0, ms: 0 };
      }
      result.ms = Date.now() - t0;
      log(`${entry.name}: ${result.error ? `ERROR ${result.error}` : `${(result.match * 100).toFixed(2)}%`}${result.note ? ` (${result.note})` : ''} in ${result.ms} ms`);
      results.push(result);
    }
    return { engine, pages: results, ms: Date.now() - started };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function measurePage(
  entry: CorpusPage,
  url: string,
  customer: CustomerBrowser,
  agent: Page,
  serverUrl: string,
  outDir: string,
): Promise<PageResult> {
  const notes: string[] = [];
  const tab = await customer.newTab();
  try {
    await tab.goto(url);
    const ready = await tab.evaluateSource<boolean>(CUSTOMER_READY);
    if (!ready) notes.push('the page never said it was ready');
    await waitFor(() => tab.evaluateSource<boolean>(`typeof window.Samepage?.startSession === 'function'`), 10_000, () => `window.Samepage never appeared: ${tab.problems.join('; ') || 'no errors'}`);
    const { code } = await tab.evaluateSource<{ code: string }>(`window.Samepage.startSession()`);

    await agent.goto(`${serverUrl}/console/join/${encodeURIComponent(code)}`);
    const first = await agent.evaluate(REPLICA_SETTLE(300, 15_000)) as SettleResult;
    if (!first.ok) throw new Error(`the replica never appeared in the console (${await describeConsole(agent)})`);

    if (entry.act) await entry.act(tab);
    await tab.evaluateSource(TWO_FRAMES);
    const settled = await agent.evaluate(REPLICA_SETTLE(400, 6_000)) as SettleResult;
    if (settled.timedOut) notes.push('the replica never went quiet (still changing after 6 s)');
    if (settled.pendingMedia) notes.push(`${settled.pendingMedia} replica video(s) not loaded/seeked`);

    // (b) the replica, unscaled, at the top left of the console, with no overlays.
    const style = await agent.addStyleTag({ content: UNSCALE_REPLICA_CSS });
    await agent.evaluate(TWO_FRAMES);
    const box = await agent.evaluate(`(() => { const f = document.querySelector('.replica-scaler iframe'); if (!f) return null; const r = f.getBoundingClientRect(); return { x: r.left, y: r.top, width: r.width, height: r.height }; })()`) as { x: number; y: number; width: number; height: number } | null;
    if (!box) throw new Error('no replica iframe in the console');
    if (Math.round(box.width) !== VIEWPORT.width || Math.round(box.height) !== VIEWPORT.height) notes.push(`replica iframe is ${Math.round(box.width)}×${Math.round(box.height)}, expected ${VIEWPORT.width}×${VIEWPORT.height}`);
    const replicaPng = await agent.screenshot({ clip: { x: box.x, y: box.y, width: VIEWPORT.width, height: VIEWPORT.height }, animations: 'allow', caret: 'hide' });
    await style.evaluate((el) => (el as HTMLElement).remove());

    let placeholder: PlaceholderCheck | null = null;
    if (entry.placeholderFor) placeholder = (await agent.evaluate(REPLICA_PLACEHOLDER(entry.placeholderFor))) as PlaceholderCheck;
    const checks: CheckResult[] = [];
    if (entry.checks?.length) {
      const inReplica = (await agent.evaluate(READ_CHECKS(entry.checks, 'window.__samepageReplica && window.__samepageReplica.document()'))) as string[];
      const inCustomer = await tab.evaluateSource<string[]>(READ_CHECKS(entry.checks, 'document'));
      entry.checks.forEach((check, i) => {
        const ok = inCustomer[i] === inReplica[i] && !String(inCustomer[i]).startsWith('(');
        checks.push(ok ? { name: check.name, ok } : { name: check.name, ok, detail: `customer: ${inCustomer[i]}, replica: ${inReplica[i]}` });
      });
    }

    // (a) the customer's viewport (the SDK's own UI hidden: it is never part of the replica).
    const masks = await tab.evaluateSource<MaskRect[]>(MASK_RECTS([...(entry.mask ?? []), ...(entry.placeholderFor ? [entry.placeholderFor] : [])]));
    const customerPng = await tab.screenshot('samepage-widget { display: none !important; }');

    if (placeholder) {
      const want = masks.find((m) => m.why.startsWith('mask'));
      const sizeOk = want && placeholder.found && Math.abs(placeholder.width - want.width) < 2 && Math.abs(placeholder.height - want.height) < 2;
      let problem = '';
      if (!placeholder.found) problem = 'no element in the replica where the cross-origin frame is';
      else if (!placeholder.label) problem = `the cross-origin frame is an unlabelled empty <${placeholder.tag}> in the replica, not a labelled placeholder${sizeOk ? ' (size right)' : ' (size wrong)'}`;
      else if (!sizeOk) problem = `placeholder "${placeholder.label}" has the wrong size ${placeholder.width}×${placeholder.height}`;
      if (problem) notes.push(problem);
      checks.push(problem ? { name: 'labelled placeholder for the cross-origin frame', ok: false, detail: problem } : { name: 'labelled placeholder for the cross-origin frame', ok: true });
    }

    const compared = compare(customerPng, replicaPng, masks);
    await writeFile(path.join(outDir, `${entry.name}.customer.png`), customerPng);
    await writeFile(path.join(outDir, `${entry.name}.replica.png`), replicaPng);
    await writeFile(path.join(outDir, `${entry.name}.diff.png`), compared.diffPng);
    const result: PageResult = { name: entry.name, match: round(compared.match), maskedPixels: compared.masked, ms: 0 };
    if (checks.length) result.checks = checks;
    const failed = checks.filter((c) => !c.ok && !notes.includes(c.detail ?? '')).map((c) => `${c.name}: ${c.detail}`);
    notes.push(...failed);
    if (notes.length) result.note = notes.join('; ');
    try {
      await tab.evaluateSource(`window.Samepage.endSession()`);
    } catch {
      // the tab is closed next anyway
    }
    return result;
  } finally {
    await tab.close().catch(() => undefined);
    await agent.goto('about:blank').catch(() => undefined);
  }
}

/** "console refused: media-src (clip.webm)" from the console's CSP errors. */
function summariseRefusals(messages: readonly string[]): string {
  const out = new Set<string>();
  for (const m of messages) {
    const url = /'(https?:[^']+)'|(https?:\/\/\S+)/.exec(m);
    const file = (url?.[1] ?? url?.[2] ?? '').split('/').pop() ?? '';
    const directive = /directive: "([^"]+)"|"([a-z-]+-src)/.exec(m);
    out.add(/Content Security Policy/.test(m) ? `console CSP blocked ${file || 'a resource'}${directive ? ` (${(directive[1] ?? directive[2] ?? '').split(' ')[0]})` : ''}` : m.slice(0, 120));
  }
  return [...out].join('; ');
}

async function describeConsole(agent: Page): Promise<string> {
  const text = await agent.evaluate(`document.body ? document.body.innerText.slice(0, 200).replace(/\\s+/g, ' ') : ''`).catch(() => '') as string;
  return `console at ${agent.url()} says: ${text || '(nothing)'}`;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, why: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(why());
}

function round(n: number): number {
  return Math.floor(n * 10_000) / 10_000;
}

interface Comparison {
  match: number;
  masked: number;
  diffPng: Buffer;
}

/** Pixel diff of two viewport PNGs, ignoring the masked rectangles (painted blue in the diff). */
export function compare(a: Buffer, b: Buffer, masks: readonly Pick<MaskRect, 'x' | 'y' | 'width' | 'height'>[]): Comparison {
  const one = PNG.sync.read(a);
  const two = PNG.sync.read(b);
  const { width, height } = one;
  if (two.width !== width || two.height !== height) throw new Error(`screenshot sizes differ: ${width}×${height} vs ${two.width}×${two.height}`);
  const ignore = new Uint8Array(width * height);
  for (const m of masks) {
    const x0 = Math.max(0, Math.floor(m.x));
    const y0 = Math.max(0, Math.floor(m.y));
    const x1 = Math.min(width, Math.ceil(m.x + m.width));
    const y1 = Math.min(height, Math.ceil(m.y + m.height));
    for (let y = y0; y < y1; y++) ignore.fill(1, y * width + x0, Math.max(y * width + x0, y * width + x1));
  }
  let masked = 0;
  for (const v of ignore) masked += v;
  const diff = new PNG({ width, height });
  const mismatched = pixelmatch(one.data, two.data, diff.data, width, height, { threshold: PIXEL_THRESHOLD, includeAA: false, ignoreMask: ignore });
  for (let i = 0; i < ignore.length; i++) {
    if (!ignore[i]) continue;
    diff.data[i * 4] = 150;
    diff.data[i * 4 + 1] = 190;
    diff.data[i * 4 + 2] = 255;
    diff.data[i * 4 + 3] = 255;
  }
  const comparedPixels = width * height - masked;
  return { match: comparedPixels > 0 ? 1 - mismatched / comparedPixels : 1, masked, diffPng: PNG.sync.write(diff) };
}
