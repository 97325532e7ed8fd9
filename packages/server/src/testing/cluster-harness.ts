/**
 * The setup the cluster tests share: one real Postgres, one real redis-server and N server
 * processes on them (testing/cluster.ts; `startCluster`), or N in-process servers
 * (`startInProcessCluster`), each with one cleanup that stops everything in a safe order; and the
 * small steps several of those tests take (log in as the admin, open a customer tab, a presence
 * tab or a console on a node, poll until something holds).
 */
import type { TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { PROTOCOL_VERSION, type ServerMessageOf } from '@samepage/protocol';
import { startServer, type RunningServer } from '../server.ts';
import { connect, login, type TestClient } from '../relay/test-clients.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from './postgres.ts';
import { redisUnavailable, startNode, startRedis, type NodeProc, type Proc } from './cluster.ts';

/** The first admin every node bootstraps (the same on all of them). */
export const ADMIN = { ADMIN_EMAIL: 'admin@example.test', ADMIN_PASSWORD: 'correct horse battery staple' };

/** Why the cluster tests cannot run here, or null when they can. */
export function clusterUnavailable(): string | null {
  return postgresUnavailable() ?? redisUnavailable();
}

/** A node process, seen as a server by the relay and HTTP test clients (they only use its url). */
export const at = (node: NodeProc): RunningServer => ({ url: node.url }) as RunningServer;

/** Logs in as the bootstrap admin on `node`; returns the session cookie. */
export function loginAdmin(node: NodeProc): Promise<string> {
  return login(at(node), ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
}

/** Polls `check` until it is true; throws `timed out: <what>` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, { timeoutMs = 20_000, everyMs = 50 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The demo site's key, as the first node to boot stored it in the `settings` table. */
export async function readDemoSiteKey(sql: pg.Client): Promise<string> {
  const setting = await sql.query<{ value: string }>("select value from settings where key = 'bootstrap'");
  return (JSON.parse(setting.rows[0]!.value) as { demoSiteKey: string }).demoSiteKey;
}

/** A customer tab on `node` that said host_hello (plus `extra`) and got its welcome. */
export async function openHost(node: NodeProc, siteKey: string, extra: Record<string, unknown> = {}): Promise<TestClient> {
  const host = await connect(at(node));
  host.send({ type: 'host_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${node.url}/`, title: 'Shop' }, ...extra });
  await host.next('welcome');
  return host;
}

/** A visitor's presence tab on `node` (visitor_hello from the cart page as `identity`), and its welcome. */
export async function openPresence(node: NodeProc, siteKey: string, identity: { id: string; name: string }): Promise<{ tab: TestClient; welcome: ServerMessageOf<'welcome'> }> {
  const tab = await connect(at(node));
  tab.send({ type: 'visitor_hello', v: PROTOCOL_VERSION, siteKey, page: { url: `${node.url}/cart.html`, title: 'Cart' }, identity });
  return { tab, welcome: await tab.next('welcome') };
}

/** An agent console on `node`, logged in with `cookie`, past its welcome. */
export async function openConsole(node: NodeProc, cookie: string): Promise<TestClient> {
  const agent = await connect(at(node), { cookie });
  agent.send({ type: 'agent_hello', v: PROTOCOL_VERSION });
  await agent.next('welcome');
  return agent;
}

/** Whether the last live-visitors list `console` got shows visitor `identityId` in a session (undefined: not listed yet). */
export function shownInSession(console: TestClient, identityId: string): boolean | undefined {
  const lists = console.messages.filter((m): m is ServerMessageOf<'visitors'> => m.type === 'visitors');
  return lists.at(-1)?.visitors.find((v) => v.identity?.id === identityId)?.inSession;
}

/** Makes Redis clients on `url`, each added to `opened` for the cleanup to disconnect. */
function redisClients(url: string, opened: Redis[]): () => Redis {
  return () => {
    const bus = new Redis(url);
    opened.push(bus);
    return bus;
  };
}

export interface Cluster {
  nodes: NodeProc[];
  /** What every node was started with: ADMIN, DATABASE_URL, REDIS_URL and the caller's `env`. */
  env: Record<string, string>;
  sql: pg.Client;
  siteKey: string;
  postgres: TestPostgres;
  redis: { url: string; proc: Proc };
  /** Registers a client to be terminated first at cleanup; returns it. */
  track<T extends TestClient>(client: T): T;
  /** A client on the cluster's Redis, disconnected at cleanup before redis-server stops. */
  redisClient(): Redis;
}

/**
 * Starts Postgres, redis-server and `nodes` server processes at once (bootstrap races included),
 * and registers one cleanup on `t`: tracked clients, then the nodes (killed and waited for), the pg
 * client, redis-server and last Postgres. A node that outlives Postgres fails its queries
 * ("Connection terminated unexpectedly"), so the order matters; `t.after` hooks run in the order
 * they were added, so it is one hook, registered before anything starts.
 */
export async function startCluster(t: TestContext, options: { nodes: number; env?: Record<string, string> }): Promise<Cluster> {
  let postgres: TestPostgres | undefined;
  let redis: { url: string; proc: Proc } | undefined;
  let sql: pg.Client | undefined;
  const running: NodeProc[] = [];
  const clients: TestClient[] = [];
  const buses: Redis[] = [];
  t.after(async () => {
    for (const c of clients) c.ws.terminate();
    for (const n of running) n.kill('SIGKILL');
    await Promise.all(running.map((n) => n.exited));
    await sql?.end().catch(() => undefined);
    for (const bus of buses) bus.disconnect();
    redis?.proc.kill('SIGKILL');
    postgres?.stop();
  });
  postgres = await startPostgres();
  redis = await startRedis();
  const env = { ...ADMIN, DATABASE_URL: postgres.createDatabase(), REDIS_URL: redis.url, ...options.env };
  // Each node is in `running` as soon as it is up, so one that failed to start does not leave the others behind.
  const nodes = await Promise.all(Array.from({ length: options.nodes }, () => startNode(env).then((n) => (running.push(n), n))));
  sql = new pg.Client({ connectionString: env.DATABASE_URL });
  await sql.connect();
  const siteKey = await readDemoSiteKey(sql);
  return { nodes, env, sql, siteKey, postgres, redis, track: (c) => (clients.push(c), c), redisClient: redisClients(redis.url, buses) };
}

export interface InProcessCluster {
  servers: RunningServer[];
  env: Record<string, string>;
  postgres: TestPostgres;
  redis: { url: string; proc: Proc };
  /** A client on the cluster's Redis, disconnected at cleanup before redis-server stops. */
  redisClient(): Redis;
}

/**
 * Postgres, redis-server and `servers` in-process servers on them (started one after another, no
 * admin), with one cleanup on `t`: redis-server continued (a test may have paused it), the servers
 * closed, Redis clients disconnected, then redis-server and Postgres stopped.
 */
export async function startInProcessCluster(t: TestContext, options: { servers: number; env?: Record<string, string> }): Promise<InProcessCluster> {
  let postgres: TestPostgres | undefined;
  let redis: { url: string; proc: Proc } | undefined;
  const servers: RunningServer[] = [];
  const buses: Redis[] = [];
  t.after(async () => {
    redis?.proc.kill('SIGCONT');
    await Promise.all(servers.map((s) => s.close()));
    for (const bus of buses) bus.disconnect();
    redis?.proc.kill('SIGKILL');
    postgres?.stop();
  });
  postgres = await startPostgres();
  redis = await startRedis();
  const env = { DATABASE_URL: postgres.createDatabase(), REDIS_URL: redis.url, ...options.env };
  for (let i = 0; i < options.servers; i++) servers.push(await startServer({ env }));
  return { servers, env, postgres, redis, redisClient: redisClients(redis.url, buses) };
}
