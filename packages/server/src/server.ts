import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { createStore, type Store } from './store.ts';
import { createCollabStore, type CollabStore } from './collab-store.ts';
import { createAdminStore, type AdminStore } from './admin-store.ts';
import { createTenantStore, type TenantStore } from './tenant-store.ts';
import { createApiStore, type ApiStore } from './api-store.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { startPurgeJob } from './retention.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import { buildApp } from './http/app.ts';
import { refuseUpgrade, websocketsDisabled } from './http/stream-transport.ts';
import { createAuthenticator } from './http/auth-routes.ts';
import { Relay } from './relay/relay.ts';
import { MemoryBus, type Bus } from './cluster/bus.ts';
import { sharedBrowsers, unavailableReason } from './shared-browser/manager.ts';
import { SHARED_BROWSER_SDK_DIST } from './shared-browser/routes.ts';
import { RedisBus } from './cluster/redis-bus.ts';
import { registerAssetRoutes } from './assets/asset-routes.ts';
import type { AssetProxy } from './assets/asset-proxy.ts';
import type { Resolve } from './assets/asset-fetch.ts';

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
  store: Store;
  collab: CollabStore;
  adminStore: AdminStore;
  tenants: TenantStore;
  api: ApiStore;
  webhooks: WebhookDispatcher;
  relay: Relay;
  boot: BootstrapResult;
  admin: { email: string; password: string };
  demoSiteKey: string;
  /** The asset proxy for replicas (assets/). */
  assets: AssetProxy;
  close(): Promise<void>;
}

/** Test seams of runServer. */
export interface RunOptions {
  /** How the asset proxy resolves host names (DNS otherwise). */
  assetResolve?: Resolve;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'] });
}

/** Starts the whole product (HTTP API, relay, console, SDK and demo) for a validated config. */
export async function runServer(config: Config, log: Logger = createLogger(config), run: RunOptions = {}): Promise<RunningServer> {
  const db = await openDatabase(config.dataDir, config.databaseUrl);
  const store = createStore(db);
  const collab = createCollabStore(db);
  const admin = createAdminStore(db);
  const tenants = createTenantStore(db);
  const boot = await bootstrap(config, store);
  const bus = await openBus(config, log);
  const api = createApiStore(db);
  const webhooks = new WebhookDispatcher(
    api,
    { allowPrivate: config.webhookAllowPrivate, maxAttempts: config.webhookMaxAttempts, retryBaseMs: config.webhookRetryBaseMs, timeoutMs: config.webhookTimeoutMs, pollMs: 5000 },
    log.child({ component: 'webhooks' }),
  );
  const relay = new Relay({ config, store, collab, tenants, log, bus, authenticate: createAuthenticator(store), events: webhooks });
  await relay.start();
  if (config.sharedBrowser.enabled && unavailableReason(config)) log.error(`SHARED_BROWSER: ${unavailableReason(config)} (SHARED_BROWSER_CHROMIUM=${config.sharedBrowser.chromium})`);
  const app = buildApp({ config, store, collab, admin, tenants, api, relay, log, demoSiteKey: boot.demoSiteKey });
  const assets = registerAssetRoutes(app, { config, store, collab, relay, log, ...(run.assetResolve ? { resolve: run.assetResolve } : {}) });
  webhooks.start();
  const stopPurge = startPurgeJob({ tenants, admin, store, log }, config.purgeIntervalMs);
  const noWebSockets = websocketsDisabled(); // DISABLE_WEBSOCKETS=1, for testing the HTTP streaming fallback
  app.server.on('upgrade', (req, socket, head) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname === '/ws' && noWebSockets) refuseUpgrade(socket); // clients fall back to /stream
    else if (pathname === '/ws') relay.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await app.listen({ port: config.port, host: config.host });
  const port = (app.server.address() as AddressInfo).port;
  const url = config.publicUrl ?? `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  let closed = false;
  return {
    url,
    port,
    config,
    store,
    collab,
    adminStore: admin,
    tenants,
    api,
    webhooks,
    relay,
    boot,
    admin: { email: boot.adminEmail, password: boot.generatedPassword ?? boot.knownPassword ?? '' },
    demoSiteKey: boot.demoSiteKey,
    assets,
    async close() {
      if (closed) return;
      closed = true;
      stopPurge();
      webhooks.stop();
      await sharedBrowsers(relay, SHARED_BROWSER_SDK_DIST).closeAll();
      await relay.close();
      await app.close();
      await bus.close();
      await db.destroy();
    },
  };
}

/** Redis when REDIS_URL is set (several nodes form one Samepage), otherwise in-process. */
async function openBus(config: Config, log: Logger): Promise<Bus> {
  if (!config.redisUrl) return new MemoryBus();
  const bus = new RedisBus(config.redisUrl, log);
  try {
    await bus.ready();
  } catch (err) {
    await bus.close();
    throw new Error(`cannot reach Redis at REDIS_URL: ${String(err)}`);
  }
  return bus;
}

export interface StartServerOptions {
  env?: Record<string, string | undefined>;
  /** Print logs (off by default in tests). */
  log?: boolean;
  /** How the asset proxy resolves host names (tests map names like shop.test to loopback). */
  assetResolve?: Resolve;
}

/**
 * The test factory: a real server on a free port with a fresh data directory, unless `env`
 * says otherwise. Example: `const server = await startServer(); t.after(() => server.close());`
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env = { ...options.env };
  const tempDir = env.DATA_DIR ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'samepage-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: tempDir ?? undefined,
    ADMIN_EMAIL: 'admin@example.test',
    ADMIN_PASSWORD: 'correct horse battery staple',
    LOG_LEVEL: options.log ? 'info' : 'silent',
    ...env,
  });
  const server = await runServer(config, undefined, options.assetResolve ? { assetResolve: options.assetResolve } : {});
  const close = server.close;
  server.close = async () => {
    await close();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  };
  return server;
}
