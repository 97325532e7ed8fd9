/**
 * The operator's command line: `samepage tenant create|plan|list`. It opens the same database
 * as the server (DATA_DIR, via loadConfig), so it can run beside a live server.
 *
 * @example
 *   npm run samepage -- tenant create --name "Acme" --admin-email ops@acme.test --plan seats:10
 *   npm run samepage -- tenant plan Acme capacity:5
 *   npm run samepage -- tenant list
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase, type Db } from './db/database.ts';
import { createStore } from './store.ts';
import { createTenantStore, describePlan, parsePlan } from './tenant-store.ts';
import { hashPassword } from './auth/passwords.ts';
import { newSecret } from './ids.ts';

const USAGE = `Usage:
  samepage tenant create --name NAME --admin-email EMAIL [--admin-password PASSWORD] [--admin-name NAME]
                         [--plan seats:N|capacity:N|unlimited] [--site-name NAME] [--origin https://shop.example.com ...]
  samepage tenant plan TENANT_ID_OR_NAME seats:N|capacity:N|unlimited
  samepage tenant list`;

/** Exit codes: 0 done, 1 refused (conflict, not found), 64 bad usage, 78 bad configuration. */
class UsageError extends Error {}
class RefusedError extends Error {}

type Out = (line: string) => void;

async function createTenantCommand(db: Db, args: string[], out: Out): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      'admin-name': { type: 'string' },
      plan: { type: 'string' },
      'site-name': { type: 'string' },
      origin: { type: 'string', multiple: true },
    },
  });
  const name = values.name?.trim();
  const email = values['admin-email']?.trim().toLowerCase();
  if (!name) throw new UsageError('--name is required');
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError('--admin-email must be an email address');
  const given = values['admin-password'];
  if (given !== undefined && given.length < 8) throw new UsageError('--admin-password must be at least 8 characters');
  const plan = parsePlan(values.plan ?? 'unlimited');
  if (!plan) throw new UsageError(`--plan must be seats:N, capacity:N or unlimited, got "${values.plan}"`);
  const origins = (values.origin ?? []).map((o) => {
    if (o === 'self' || /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(o)) return o;
    throw new UsageError(`--origin must be an origin like https://shop.example.com, got "${o}"`);
  });

  const store = createStore(db);
  const tenants = createTenantStore(db);
  if (await tenants.findTenantByName(name)) throw new RefusedError(`a tenant named "${name}" already exists`);
  if (await store.findUserByEmail(email)) throw new RefusedError(`a user with the email ${email} already exists`);
  const password = given ?? newSecret(12);
  const tenant = await store.createTenant(name);
  await tenants.setPlan(tenant.id, plan);
  await store.createUser({ tenantId: tenant.id, email, name: values['admin-name'] ?? 'Admin', role: 'admin', passwordHash: await hashPassword(password) });
  const site = await store.createSite({ tenantId: tenant.id, name: values['site-name'] ?? `${name} website`, allowedOrigins: origins });
  await store.audit(tenant.id, { type: 'system', id: null }, 'tenant.created', null, { adminEmail: email, plan: describePlan(plan), via: 'cli' });
  out(`Tenant created: ${tenant.name} (${tenant.id})`);
  out(`  Plan:        ${describePlan(plan)}`);
  out(`  Admin:       ${email}`);
  if (given === undefined) out(`  Password:    ${password}   (generated; shown only now)`);
  out(`  Site key:    ${site.siteKey}   (site "${site.name}")`);
  out(origins.length ? `  Origins:     ${origins.join(', ')}` : '  Origins:     none yet; add the website’s origin in the console (Sites) before embedding the SDK');
}

async function planCommand(db: Db, args: string[], out: Out): Promise<void> {
  const [who, planText, ...rest] = args;
  if (!who || !planText || rest.length) throw new UsageError('tenant plan takes a tenant id or name, and a plan');
  const plan = parsePlan(planText);
  if (!plan) throw new UsageError(`the plan must be seats:N, capacity:N or unlimited, got "${planText}"`);
  const tenants = createTenantStore(db);
  const all = await tenants.listTenants();
  const tenant = all.find((t) => t.id === who) ?? all.find((t) => t.name === who);
  if (!tenant) throw new RefusedError(`no tenant with the id or name "${who}"`);
  await tenants.setPlan(tenant.id, plan);
  await createStore(db).audit(tenant.id, { type: 'system', id: null }, 'tenant.plan_changed', null, { from: describePlan(tenant.plan), to: describePlan(plan), via: 'cli' });
  out(`${tenant.name} (${tenant.id}): ${describePlan(tenant.plan)} -> ${describePlan(plan)}`);
  const used = await tenants.countActiveAgents(tenant.id);
  if (plan.kind === 'seats' && used > plan.limit) out(`  Note: ${used} active agents already exceed ${plan.limit} seats; no new agents can be added until some are disabled.`);
}

async function listCommand(db: Db, out: Out): Promise<void> {
  const tenants = createTenantStore(db);
  const rows = await Promise.all(
    (await tenants.listTenants()).map(async (t) => {
      const used = await tenants.countActiveAgents(t.id);
      return [t.id, t.name, describePlan(t.plan), t.plan.kind === 'seats' ? `${used}/${t.plan.limit}` : String(used)];
    }),
  );
  const table = [['ID', 'NAME', 'PLAN', 'SEATS USED'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table) out(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, out: Out = console.log, err: Out = console.error): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group !== 'tenant' || !command || !['create', 'plan', 'list'].includes(command)) {
    err(USAGE);
    return group === undefined || group === 'help' || group === '--help' ? 0 : 64;
  }
  let db: Db | null = null;
  try {
    const config = loadConfig(env);
    db = await openDatabase(config.dataDir, config.databaseUrl);
    if (command === 'create') await createTenantCommand(db, rest, out);
    else if (command === 'plan') await planCommand(db, rest, out);
    else await listCommand(db, out);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) return err(`samepage: ${e.message}`), 78;
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return err(`samepage: ${(e as Error).message}\n\n${USAGE}`), 64;
    if (e instanceof RefusedError) return err(`samepage: ${e.message}`), 1;
    throw e;
  } finally {
    await db?.destroy();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCli(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error('samepage: failed:', e);
      process.exit(1);
    },
  );
}
