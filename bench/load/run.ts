/**
 * npm run bench:load [-- --json] [-- --quick] [-- --only=1|2]
 *
 * Load test of the relay (see docs/PERFORMANCE.md for the method and figures). Server processes
 * are children of this one (so their CPU and RSS can be read from /proc); the simulated customers
 * and viewers run in two more child processes (bench/load/client.ts). Everything shares this
 * machine's cores: the clients' CPU competes with the server's.
 *
 * One process: SQLite, in-process bus. Two processes: Redis (redis-server on a free port) and
 * Postgres (packages/server/src/testing/postgres.ts); customers on node A, the first viewer of
 * each session on A and the second on B (linked over Redis).
 *
 * Sessions ramp up in steps; at each step the customers replay the recorded demo-shop stream
 * (bench/load/fixtures/demo-shop.json, recorded by record.ts) for a measurement window. The run
 * stops at the first step whose p99 relay latency exceeds 100 ms, or where sessions are refused.
 * stdout: a table, or with --json exactly one JSON object. Progress goes to stderr.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNode, startRedis, type NodeProc } from '../../packages/server/src/testing/cluster.ts';
import { postgresUnavailable, startPostgres } from '../../packages/server/src/testing/postgres.ts';
import type { ClientCommand, ClientStats } from './client.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const JSON_OUT = args.includes('--json');
const QUICK = args.includes('--quick');
const ONLY = args.find((a) => a.startsWith('--only='))?.split('=')[1] ?? null;
const STEPS = process.env.BENCH_LOAD_STEPS ? process.env.BENCH_LOAD_STEPS.split(',').map(Number) : QUICK ? [100, 400, 1000] : [50, 100, 200, 400, 700, 1000, 1400, 1800];
const MEASURE_MS = Number(process.env.BENCH_LOAD_MEASURE_MS ?? (QUICK ? 4000 : 6000));
const SETTLE_MS = Number(process.env.BENCH_LOAD_SETTLE_MS ?? 3000);
const P99_LIMIT_MS = 100;
/** Sockets per process; above the target on purpose, so the last step shows graceful refusal. */
const MAX_SOCKETS = 5000;
const ADMIN = { email: 'load@example.test', password: 'load-test-password' };
const CLK_TCK = 100;
const PAGE_SIZE = 4096;

const log = (m: string) => void process.stderr.write(`[bench:load] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime in µs, and RSS in bytes, from /proc. */
function procUsage(pid: number): { cpuUs: number; rss: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuUs = ((Number(fields[11]) + Number(fields[12])) / CLK_TCK) * 1e6;
  const rss = Number(fields[21]) * PAGE_SIZE;
  return { cpuUs, rss };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

class Client {
  private queue: Array<(m: unknown) => void> = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m) => this.queue.shift()?.(m));
  }
  ask<T>(c: ClientCommand): Promise<T> {
    return new Promise((resolve) => {
      this.queue.push(resolve as (m: unknown) => void);
      this.child.send(c);
    });
  }
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const r1 = (n: number) => Math.round(n * 10) / 10;

interface StepResult {
  sessions: number;
  sockets: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  frames_per_s_in: number;
  mb_forwarded_per_s: number;
  server_cpu_pct: number;
  server_rss_mb: number;
  clients_cpu_pct: number;
  /** 1-minute load average of the machine at the end of the window (other work on the host shows here). */
  loadavg: number;
  cpu_us_per_mb: number;
  refused: Record<string, number>;
  failed_sessions: number;
  disconnects: number;
}

interface RunResult {
  processes: number;
  sessions_at_p99_100ms: number;
  memory_per_session_kb: number;
  memory_per_session_estimate_kb: number;
  cpu_us_per_mb: number;
  breaks: string;
  steps: StepResult[];
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' }, body: JSON.stringify(ADMIN) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function siteKeyOf(url: string): Promise<string> {
  const html = await (await fetch(`${url}/`)).text();
  const key = /data-site-key="([^"]+)"/.exec(html)?.[1];
  if (!key) throw new Error('no site key on the demo page');
  return key;
}

async function runOne(processes: 1 | 2): Promise<RunResult> {
  const cleanup: Array<() => void> = [];
  try {
    const env: Record<string, string> = {
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'error',
      JOIN_ATTEMPTS_PER_MINUTE: '10000',
      LOGIN_ATTEMPTS_PER_MINUTE: '10000',
      MAX_SOCKETS: String(MAX_SOCKETS),
    };
    if (processes === 2) {
      const redis = await startRedis();
      cleanup.push(() => redis.proc.kill('SIGKILL'));
      const pg = await startPostgres();
      cleanup.push(() => pg.stop());
      env.REDIS_URL = redis.url;
      env.DATABASE_URL = pg.createDatabase();
    }
    const nodes: NodeProc[] = [];
    // Node A first: it creates the schema and the demo tenant.
    for (let i = 0; i < processes; i++) {
      const node = await startNode(env);
      cleanup.push(() => node.kill('SIGKILL'));
      nodes.push(node);
    }
    const a = nodes[0]!;
    const b = nodes[processes - 1]!;
    const siteKey = await siteKeyOf(a.url);
    const cookie = await login(a.url);
    const clients = [0, 1].map(() => new Client(fork(path.join(here, 'client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
    cleanup.push(() => clients.forEach((c) => c.child.kill('SIGKILL')));
    const pids = nodes.map((n) => n.child.pid!);
    const usage = () => pids.map(procUsage).reduce((s, u) => ({ cpuUs: s.cpuUs + u.cpuUs, rss: s.rss + u.rss }), { cpuUs: 0, rss: 0 });
    const clientUsage = () => clients.reduce((n, c) => n + procUsage(c.child.pid!).cpuUs, 0);
    await sleep(500);
    const baseRss = usage().rss;
    const forwarded = async () => (await Promise.all(nodes.map((n) => metric(n.url, 'samepage_bytes_forwarded_total')))).reduce((x, y) => x + y, 0);
    const steps: StepResult[] = [];
    let held = 0;
    let heldStep: StepResult | null = null;
    let breaks = `not reached: held the largest step (${STEPS.at(-1)} sessions)`;
    let current = 0;
    for (const target of STEPS) {
      const add = target - current;
      const t0 = Date.now();
      const opened = await Promise.all(
        clients.map((c, i) =>
          c.ask<{ sessions: number; failed: number }>({ cmd: 'open', n: Math.floor(add / 2) + (i < add % 2 ? 1 : 0), hostUrl: a.url, viewerUrls: [a.url, b.url], siteKey, cookies: [cookie, cookie], origin: a.url, concurrency: 32 }),
        ),
      );
      current = target;
      const opening = opened.reduce((n, o) => n + o.sessions, 0);
      log(`${processes}p: ${opening} sessions open (${((Date.now() - t0) / 1000).toFixed(1)} s to open ${add})`);
      await sleep(SETTLE_MS);
      // A window over the limit is measured once more before the step counts as broken: the
      // machine is shared (see loadavg), and one scheduling hiccup should not end the ramp.
      for (let attempt = 0; attempt < 2; attempt++) {
        await Promise.all(clients.map((c) => c.ask({ cmd: 'reset' })));
        const u0 = usage();
        const c0 = clientUsage();
        const f0 = await forwarded();
        const m0 = Date.now();
        await sleep(MEASURE_MS);
        const stats = await Promise.all(clients.map((c) => c.ask<ClientStats>({ cmd: 'stats' })));
        const u1 = usage();
        const c1 = clientUsage();
        const f1 = await forwarded();
        const elapsed = (Date.now() - m0) / 1000;
        const lat = stats.flatMap((s) => s.latencies).sort((x, y) => x - y);
        const refused: Record<string, number> = {};
        for (const s of stats) for (const [k, v] of Object.entries(s.refused)) refused[k] = (refused[k] ?? 0) + v;
        const mb = (f1 - f0) / 1e6;
        const step: StepResult = {
          sessions: opening,
          sockets: (await Promise.all(nodes.map((n) => metric(n.url, 'samepage_connected_sockets')))).reduce((x, y) => x + y, 0),
          p50_ms: r1(pct(lat, 50)),
          p99_ms: r1(pct(lat, 99)),
          max_ms: r1(lat.at(-1) ?? NaN),
          frames_per_s_in: Math.round(stats.reduce((n, s) => n + s.framesSent, 0) / elapsed),
          mb_forwarded_per_s: r1(mb / elapsed),
          server_cpu_pct: Math.round(((u1.cpuUs - u0.cpuUs) / 1e6 / elapsed) * 100),
          server_rss_mb: Math.round(u1.rss / 1e6),
          loadavg: r1(os.loadavg()[0] ?? 0),
          clients_cpu_pct: Math.round(((c1 - c0) / 1e6 / elapsed) * 100),
          cpu_us_per_mb: mb > 0 ? Math.round((u1.cpuUs - u0.cpuUs) / mb) : NaN,
          refused,
          failed_sessions: stats.reduce((n, s) => n + s.failed, 0),
          disconnects: stats.reduce((n, s) => n + s.disconnects, 0),
        };
        log(`${processes}p: ${JSON.stringify(step)}`);
        if (step.p99_ms > P99_LIMIT_MS && attempt === 0) continue;
        steps.push(step);
        break;
      }
      const step = steps.at(-1)!;
      const refused = step.refused;
      const live = step.sessions;
      const refusedCount = Object.values(refused).reduce((n, v) => n + v, 0);
      if (step.p99_ms > P99_LIMIT_MS) {
        breaks = `latency: p99 ${step.p99_ms} ms at ${live} sessions (server CPU ${step.server_cpu_pct}% of one core)`;
        break;
      }
      if (refusedCount > 0 || step.failed_sessions > 0) {
        breaks = `refusal: ${step.failed_sessions} of ${target} sessions could not open (${Object.entries(refused).map(([k, v]) => `${v}× ${k}`).join(', ') || 'no error'}; MAX_SOCKETS=${MAX_SOCKETS} per process); ${live} sessions kept streaming, p99 ${step.p99_ms} ms, ${step.disconnects} disconnects, no crash`;
        if (step.p99_ms <= P99_LIMIT_MS) (held = live), (heldStep = step);
        break;
      }
      held = live;
      heldStep = step;
    }
    const estimate = await metric(a.url, 'samepage_session_memory_bytes_avg');
    const alive = nodes.every((n) => n.child.exitCode === null);
    if (!alive) breaks += '; a server process exited';
    await Promise.all(clients.map((c) => c.ask({ cmd: 'stop' })));
    return {
      processes,
      sessions_at_p99_100ms: held,
      memory_per_session_kb: heldStep && held > 0 ? Math.round((heldStep.server_rss_mb * 1e6 - baseRss) / held / 1024) : NaN,
      memory_per_session_estimate_kb: Math.round(estimate / 1024),
      cpu_us_per_mb: heldStep?.cpu_us_per_mb ?? NaN,
      breaks,
      steps,
    };
  } finally {
    for (const c of cleanup.reverse()) {
      try {
        c();
      } catch {
        // already gone
      }
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const one = ONLY === '2' ? null : await runOne(1);
  let two: RunResult | { skipped: string } | null = null;
  if (ONLY !== '1') {
    const why = postgresUnavailable();
    two = why ? { skipped: why } : await runOne(2).catch((err: unknown) => ({ skipped: String(err) }));
  }
  const result = {
    ...(one ?? {}),
    two_processes: two,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', node: process.version },
    note: 'Clients (2 processes) share the cores with the server; CPU and RSS are the server processes only (/proc). Latency = viewer receive − customer send, same machine.',
    duration_s: Math.round((Date.now() - started) / 1000),
  };
  if (JSON_OUT) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  for (const r of [one, two]) {
    if (!r || 'skipped' in r) continue;
    console.log(`\n${r.processes} process(es): ${r.sessions_at_p99_100ms} sessions at p99 ≤ ${P99_LIMIT_MS} ms, ${r.memory_per_session_kb} KB/session (RSS), ${r.cpu_us_per_mb} µs CPU per MB forwarded`);
    console.log(`breaks: ${r.breaks}`);
    console.log('sessions  sockets  p50ms  p99ms  in/s    MB/s  cpu%  rssMB');
    for (const s of r.steps) console.log([s.sessions, s.sockets, s.p50_ms, s.p99_ms, s.frames_per_s_in, s.mb_forwarded_per_s, s.server_cpu_pct, s.server_rss_mb].map((v) => String(v).padStart(7)).join(' '));
  }
  if (two && 'skipped' in two) console.log(`2 processes skipped: ${two.skipped}`);
}

await main();
process.exit(0);
