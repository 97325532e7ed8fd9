/** The operator CLI, run as a child process against a temporary DATA_DIR, then used through a real server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function samepage(dataDir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/samepage.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function tempDataDir(t: import('node:test').TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-cli-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function login(url: string, email: string, password: string) {
  return fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' }, body: JSON.stringify({ email, password }) });
}

test('tenant create makes a tenant, its first admin (generated password printed once) and a site key; the admin can log in', async (t) => {
  const dataDir = tempDataDir(t);
  const created = samepage(dataDir, 'tenant', 'create', '--name', 'Acme', '--admin-email', 'Ops@Acme.test', '--plan', 'seats:10', '--origin', 'https://shop.acme.test');
  assert.equal(created.code, 0, created.stderr);
  const password = /Password:\s+(\S+)/.exec(created.stdout)?.[1];
  const siteKey = /Site key:\s+(\S+)/.exec(created.stdout)?.[1];
  const tenantId = /\((ten_[\w-]+)\)/.exec(created.stdout)?.[1];
  assert.ok(password && password.length >= 12, created.stdout);
  assert.ok(siteKey && tenantId, created.stdout);

  const server = await startServer({ env: { DATA_DIR: dataDir } });
  t.after(() => server.close());
  const res = await login(server.url, 'ops@acme.test', password);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { user: { tenantId: string; role: string } };
  assert.deepEqual([body.user.tenantId, body.user.role], [tenantId, 'admin']);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const usage = (await (await fetch(`${server.url}/api/usage`, { headers: { cookie } })).json()) as { plan: unknown; seatsUsed: number };
  assert.deepEqual(usage.plan, { kind: 'seats', limit: 10 });
  assert.equal(usage.seatsUsed, 1);
  const site = await server.store.findSiteByKey(siteKey);
  assert.deepEqual([site?.tenantId, site?.allowedOrigins], [tenantId, ['https://shop.acme.test']]);
});

test('tenant create with --admin-password prints no password, and refuses a duplicate tenant name or admin email', async (t) => {
  const dataDir = tempDataDir(t);
  const first = samepage(dataDir, 'tenant', 'create', '--name', 'Globex', '--admin-email', 'root@globex.test', '--admin-password', 'a long chosen password');
  assert.equal(first.code, 0, first.stderr);
  assert.doesNotMatch(first.stdout, /Password:/);
  assert.doesNotMatch(first.stdout, /a long chosen password/);
  const sameName = samepage(dataDir, 'tenant', 'create', '--name', 'Globex', '--admin-email', 'other@globex.test');
  assert.equal(sameName.code, 1);
  assert.match(sameName.stderr, /already exists/);
  const sameEmail = samepage(dataDir, 'tenant', 'create', '--name', 'Globex 2', '--admin-email', 'root@globex.test');
  assert.equal(sameEmail.code, 1);
  assert.match(sameEmail.stderr, /already exists/);
  const badPlan = samepage(dataDir, 'tenant', 'create', '--name', 'Initech', '--admin-email', 'x@initech.test', '--plan', 'seats:lots');
  assert.equal(badPlan.code, 64);

  const server = await startServer({ env: { DATA_DIR: dataDir } });
  t.after(() => server.close());
  assert.equal((await login(server.url, 'root@globex.test', 'a long chosen password')).status, 200);
});

test('tenant plan changes a plan by name or id, and tenant list shows id, name, plan and seats used; the server enforces the new plan', async (t) => {
  const dataDir = tempDataDir(t);
  assert.equal(samepage(dataDir, 'tenant', 'create', '--name', 'Umbrella', '--admin-email', 'boss@umbrella.test', '--admin-password', 'umbrella-password').code, 0);
  const byName = samepage(dataDir, 'tenant', 'plan', 'Umbrella', 'capacity:3');
  assert.equal(byName.code, 0, byName.stderr);
  assert.match(byName.stdout, /unlimited -> capacity: 3/);
  const list = samepage(dataDir, 'tenant', 'list');
  assert.equal(list.code, 0, list.stderr);
  const row = list.stdout.split('\n').find((l) => l.includes('Umbrella'));
  assert.match(row ?? '', /^ten_\S+\s+Umbrella\s+capacity: 3\s+1$/);
  const id = row!.split(/\s+/)[0]!;
  const byId = samepage(dataDir, 'tenant', 'plan', id, 'seats:1');
  assert.equal(byId.code, 0, byId.stderr);
  assert.match(samepage(dataDir, 'tenant', 'list').stdout, /Umbrella\s+seats: 1\s+1\/1/);
  assert.equal(samepage(dataDir, 'tenant', 'plan', 'Nobody', 'seats:1').code, 1);
  assert.equal(samepage(dataDir, 'tenant', 'plan', 'Umbrella', 'seats:0').code, 64);
  assert.equal(samepage(dataDir, 'tenant', 'frobnicate').code, 64);

  // The running server reads the plan the CLI wrote: the only seat is taken, so adding an agent is refused.
  const server = await startServer({ env: { DATA_DIR: dataDir } });
  t.after(() => server.close());
  const cookie = (await login(server.url, 'boss@umbrella.test', 'umbrella-password')).headers.get('set-cookie')!.split(';')[0]!;
  const add = await fetch(`${server.url}/api/users`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', 'x-samepage-csrf': '1' },
    body: JSON.stringify({ email: 'agent@umbrella.test', name: 'Agent', role: 'agent', password: 'agent-password-1' }),
  });
  assert.equal(add.status, 409);
  assert.equal(((await add.json()) as { error: { code: string } }).error.code, 'seat_limit_reached');
});
