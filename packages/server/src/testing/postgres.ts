/**
 * A real, throwaway Postgres for tests: initdb into a temp dir, pg_ctl start on a free port with
 * its socket in that dir, one fresh database per call of `createDatabase`. Runs as the `postgres`
 * OS user when the tests run as root (Postgres refuses to run as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

export interface TestPostgres {
  port: number;
  /** A new empty database; returns its postgres:// URL. */
  createDatabase(): string;
  stop(): void;
}

function findBinDir(): string | null {
  const fromPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' }).stdout.trim();
  if (fromPath) return path.dirname(fs.realpathSync(fromPath));
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (fs.existsSync(path.join(root, v, 'bin', 'pg_ctl'))) return path.join(root, v, 'bin');
  return null;
}

/** Why Postgres tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  const bin = findBinDir();
  if (!bin || !fs.existsSync(path.join(bin, 'initdb'))) return 'Postgres binaries (initdb, pg_ctl) not found; install the Debian postgresql package';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres OS user to run Postgres as';
  return null;
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = findBinDir();
  if (!bin) throw new Error(postgresUnavailable() ?? 'no postgres');
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-pg-'));
  const dataDir = path.join(dir, 'data');
  const user = asRoot ? 'postgres' : os.userInfo().username;
  if (asRoot) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres', dir]);
  }
  const run = (cmd: string, args: string[]) => {
    const file = path.join(bin, cmd);
    const result = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', file, ...args], { encoding: 'utf8' }) : spawnSync(file, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${cmd} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', dataDir, '-A', 'trust', '-U', user, '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  run('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  let stopped = false;
  let n = 0;
  return {
    port,
    createDatabase() {
      n += 1;
      const name = `samepage_test_${n}`;
      run('createdb', ['-h', dir, '-p', String(port), '-U', user, name]);
      return `postgres://${user}@127.0.0.1:${port}/${name}`;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
