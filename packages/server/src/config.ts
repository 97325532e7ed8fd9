import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES, SESSION_CODE_TTL_MS } from '@samepage/protocol';

/** Every setting of the server, read once at start-up. README.md has the same table. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Public URL of this server, e.g. https://cobrowse.example.com; used in printed links. */
  publicUrl: string | null;
  adminEmail: string | null;
  adminPassword: string | null;
  logLevel: string;
  codeTtlMs: number;
  hostResumeGraceMs: number;
  hostUnloadGraceMs: number;
  maxFrameBytes: number;
  /** Bytes of keyframe + deltas kept per session for late joiners before a new keyframe is asked for. */
  maxSessionCacheBytes: number;
  /** A viewer whose socket buffers more than this is dropped back to a fresh snapshot (flow.ts). */
  viewerMaxBufferedBytes: number;
  /** Open WebSockets per process; one more is refused with server_busy (close 1013). */
  maxSockets: number;
  joinAttemptsPerMinute: number;
  loginAttemptsPerMinute: number;
  helloTimeoutMs: number;
  authSessionTtlMs: number;
  purgeIntervalMs: number;
  /** WebSocket ping interval; a socket that misses one ping is closed as dead. */
  pingIntervalMs: number;
  /** Failed logins for one email within 15 minutes before the account is locked for 15 minutes. */
  loginLockoutFailures: number;
  /** Serve HTTPS and WSS directly with this certificate and key (PEM). */
  tls: { cert: Buffer; key: Buffer } | null;
  /** Behind a reverse proxy: trust X-Forwarded-Proto/For/Host. */
  trustProxy: boolean;
  /** postgres:// URL; null uses the embedded SQLite file in dataDir. */
  databaseUrl: string | null;
  /** redis:// URL; null uses the in-process bus (a single node). */
  redisUrl: string | null;
  /** Let webhook URLs point at private and loopback addresses (off: SSRF protection). */
  webhookAllowPrivate: boolean;
  /** Attempts per webhook delivery before it is given up. */
  webhookMaxAttempts: number;
  /** The first retry's delay; each next one doubles. */
  webhookRetryBaseMs: number;
  webhookTimeoutMs: number;
  /** "Open a website" (shared-browser/): off unless SHARED_BROWSER is set. */
  sharedBrowser: SharedBrowserConfig;
  /** "Leave a message": messages one address may leave per site and hour. */
  followupPerHour: number;
  /** "Leave a message": the largest page snapshot accepted (gzip-compressed bytes). */
  followupSnapshotMaxBytes: number;
  /** The asset proxy for replicas (assets/): on unless ASSET_PROXY=false. */
  assets: AssetProxyConfig;
}

export interface AssetProxyConfig {
  enabled: boolean;
  /** Host globs the proxy may fetch besides each site's own origins (`*.cdn.example.com`). */
  allowHosts: string[];
  /** Let the proxy fetch private, loopback and other special addresses (off: SSRF protection). */
  allowPrivate: boolean;
  /** Largest asset fetched or accepted from the customer's tab. */
  maxAssetBytes: number;
  /** All cached assets of this node together (LRU). */
  cacheBytes: number;
  /** What one session's customer tab may upload. */
  sessionBytes: number;
  /** Lifetime of the proxy token a console gets for a session. */
  tokenTtlMs: number;
  /** HMAC key of proxy tokens; random per process when unset (set one for several nodes). */
  secret: string | null;
  fetchTimeoutMs: number;
  /** How long a proxy request waits for an asset the customer's tab announced but has not uploaded yet. */
  uploadWaitMs: number;
}

export interface SharedBrowserConfig {
  enabled: boolean;
  chromium: string;
  /** Shared browsers at once on this node. */
  max: number;
  idleMs: number;
  /** V8 heap cap per renderer, and the RSS limit of the whole browser process tree. */
  memoryMb: number;
  /** Let the shared browser reach private and loopback addresses (off: SSRF protection). */
  allowPrivate: boolean;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBool(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return false;
  if (!['0', '1', 'true', 'false'].includes(raw)) throw new ConfigError(name, 'must be true or false');
  return raw === '1' || raw === 'true';
}

function readUrl(env: Env, name: string): string | null {
  const raw = env[name];
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return url.origin;
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
}

function readServiceUrl(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (!raw) return null;
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(protocol)) throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return raw;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Validates the environment once, with defaults; throws a ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  const adminEmail = env.ADMIN_EMAIL || null;
  if (adminEmail !== null && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) throw new ConfigError('ADMIN_EMAIL', 'must be an email address');
  const adminPassword = env.ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 8) throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters');
  const tls = readTls(env);
  const trustProxy = env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true';
  if (env.TRUST_PROXY && !['0', '1', 'true', 'false'].includes(env.TRUST_PROXY)) throw new ConfigError('TRUST_PROXY', 'must be true or false');
  if (env.WEBHOOK_ALLOW_PRIVATE && !['0', '1', 'true', 'false'].includes(env.WEBHOOK_ALLOW_PRIVATE)) throw new ConfigError('WEBHOOK_ALLOW_PRIVATE', 'must be true or false');
  return {
    tls,
    trustProxy,
    databaseUrl: readServiceUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: readServiceUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    port: readInt(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    publicUrl: readUrl(env, 'PUBLIC_URL'),
    adminEmail,
    adminPassword,
    logLevel,
    codeTtlMs: readInt(env, 'CODE_TTL_MS', SESSION_CODE_TTL_MS, 100, 24 * 3600 * 1000),
    hostResumeGraceMs: readInt(env, 'HOST_RESUME_GRACE_MS', 30_000, 100, 3600 * 1000),
    hostUnloadGraceMs: readInt(env, 'HOST_UNLOAD_GRACE_MS', 10_000, 100, 3600 * 1000),
    maxFrameBytes: readInt(env, 'MAX_FRAME_BYTES', DEFAULT_MAX_FRAME_BYTES, 1024, 256 * 1024 * 1024),
    maxSessionCacheBytes: readInt(env, 'MAX_SESSION_CACHE_BYTES', 24 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    viewerMaxBufferedBytes: readInt(env, 'VIEWER_MAX_BUFFERED_BYTES', 4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    maxSockets: readInt(env, 'MAX_SOCKETS', 10_000, 1, 1_000_000),
    joinAttemptsPerMinute: readInt(env, 'JOIN_ATTEMPTS_PER_MINUTE', 10, 1, 10_000),
    loginAttemptsPerMinute: readInt(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 10, 1, 10_000),
    helloTimeoutMs: readInt(env, 'HELLO_TIMEOUT_MS', 10_000, 100, 600_000),
    pingIntervalMs: readInt(env, 'PING_INTERVAL_MS', 15_000, 100, 600_000),
    purgeIntervalMs: readInt(env, 'PURGE_INTERVAL_MS', 3600 * 1000, 1000, 7 * 24 * 3600 * 1000),
    loginLockoutFailures: readInt(env, 'LOGIN_LOCKOUT_FAILURES', 5, 1, 1000),
    authSessionTtlMs: readInt(env, 'AUTH_SESSION_TTL_MS', 12 * 3600 * 1000, 60_000, 365 * 24 * 3600 * 1000),
    webhookAllowPrivate: env.WEBHOOK_ALLOW_PRIVATE === '1' || env.WEBHOOK_ALLOW_PRIVATE === 'true',
    webhookMaxAttempts: readInt(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 50),
    webhookRetryBaseMs: readInt(env, 'WEBHOOK_RETRY_BASE_MS', 1000, 10, 3600 * 1000),
    webhookTimeoutMs: readInt(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    followupPerHour: readInt(env, 'FOLLOWUP_PER_HOUR', 10, 1, 100_000),
    followupSnapshotMaxBytes: readInt(env, 'FOLLOWUP_SNAPSHOT_MAX_BYTES', 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    sharedBrowser: {
      enabled: readBool(env, 'SHARED_BROWSER'),
      chromium: env.SHARED_BROWSER_CHROMIUM || '/usr/bin/chromium',
      max: readInt(env, 'SHARED_BROWSER_MAX', 2, 1, 1000),
      idleMs: readInt(env, 'SHARED_BROWSER_IDLE_MS', 10 * 60_000, 100, 24 * 3600 * 1000),
      memoryMb: readInt(env, 'SHARED_BROWSER_MEMORY_MB', 1024, 64, 64 * 1024),
      allowPrivate: readBool(env, 'SHARED_BROWSER_ALLOW_PRIVATE'),
    },
    assets: readAssetProxy(env),
  };
}

function readAssetProxy(env: Env): AssetProxyConfig {
  const secret = env.ASSET_PROXY_SECRET || null;
  if (secret !== null && secret.length < 32) throw new ConfigError('ASSET_PROXY_SECRET', 'must be at least 32 characters');
  const allowHosts = (env.ASSET_PROXY_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const bad = allowHosts.find((h) => !/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/.test(h));
  if (bad) throw new ConfigError('ASSET_PROXY_ALLOW_HOSTS', `must be host names or *.domain globs, got "${bad}"`);
  return {
    enabled: env.ASSET_PROXY === undefined || env.ASSET_PROXY === '' ? true : readBool(env, 'ASSET_PROXY'),
    allowHosts,
    allowPrivate: readBool(env, 'ASSET_PROXY_ALLOW_PRIVATE'),
    maxAssetBytes: readInt(env, 'ASSET_MAX_BYTES', 5 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    cacheBytes: readInt(env, 'ASSET_CACHE_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
    sessionBytes: readInt(env, 'ASSET_SESSION_BYTES', 24 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    tokenTtlMs: readInt(env, 'ASSET_TOKEN_TTL_MS', 15 * 60_000, 1000, 24 * 3600 * 1000),
    secret,
    fetchTimeoutMs: readInt(env, 'ASSET_FETCH_TIMEOUT_MS', 10_000, 100, 120_000),
    uploadWaitMs: readInt(env, 'ASSET_UPLOAD_WAIT_MS', 5000, 0, 60_000),
  };
}

function readTls(env: Env): Config['tls'] {
  const certPath = env.TLS_CERT;
  const keyPath = env.TLS_KEY;
  if (!certPath && !keyPath) return null;
  if (!certPath) throw new ConfigError('TLS_CERT', 'must be set when TLS_KEY is set');
  if (!keyPath) throw new ConfigError('TLS_KEY', 'must be set when TLS_CERT is set');
  const read = (name: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch {
      throw new ConfigError(name, `cannot read ${file}`);
    }
  };
  return { cert: read('TLS_CERT', certPath), key: read('TLS_KEY', keyPath) };
}
