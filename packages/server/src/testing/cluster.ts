/** Real redis-server and real server processes for the multi-node tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export function redisUnavailable(): string | null {
  return spawnSync('sh', ['-c', 'command -v redis-server']).status === 0 ? null : 'redis-server not found; install the Debian redis-server package';
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): void;
}

function track(child: ChildProcess): Proc {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export async function startRedis(): Promise<{ url: string; proc: Proc }> {
  const port = await freePort();
  const proc = track(spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  await waitFor(async () => proc.output().includes('Ready to accept connections'), 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, proc };
}

export interface NodeProc extends Proc {
  url: string;
  exited: Promise<void>;
}

/** One Samepage server process; resolves once /healthz answers. */
export async function startNode(env: Record<string, string>): Promise<NodeProc> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-node-'));
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`node exited: ${proc.output()}`);
      return (await fetch(`${url}/healthz`)).ok;
    }, `server on ${url}`);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${String(err)}\n${proc.output()}`);
  }
  return { ...proc, url, exited };
}
