import crypto from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import type { ApiStore, DeliveryRecord } from '../api-store.ts';
import { newId } from '../ids.ts';
import type { EventData, EventSink, EventType } from '../relay/events.ts';
import { checkWebhookUrl, isPrivateAddress } from './private-address.ts';

export interface WebhookOptions {
  allowPrivate: boolean;
  maxAttempts: number;
  /** The first retry waits this long; each next one twice as long (1 s, 2 s, 4 s …). */
  retryBaseMs: number;
  timeoutMs: number;
  /** How often the worker looks for due deliveries (also right after an event). */
  pollMs: number;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signPayload(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  const mac = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${mac}`;
}

/** Checks a Samepage-Signature header; `toleranceSec` bounds replays. */
export function verifySignature(secret: string, body: string, header: string, toleranceSec = 300, now = Date.now()): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now / 1000 - t) > toleranceSec) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Resolves like the default lookup, but refuses private addresses (a DNS answer may change after the check). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) return callback(new Error(`refused private address for ${hostname}`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * Turns relay events into signed webhook deliveries. Deliveries are rows in the database, so a
 * restart (or another node) keeps retrying them; a worker loop sends what is due.
 */
export class WebhookDispatcher implements EventSink {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: ApiStore,
    private readonly options: WebhookOptions,
    private readonly log: Logger,
  ) {}

  emit<T extends EventType>(tenantId: string, type: T, data: EventData[T]): void {
    this.enqueue(tenantId, type, data).catch((err: unknown) => this.log.error({ err, type }, 'could not queue webhook event'));
  }

  async enqueue<T extends EventType>(tenantId: string, type: T, data: EventData[T]): Promise<void> {
    const hooks = await this.store.subscribers(tenantId, type);
    if (hooks.length === 0) return;
    const createdAt = Date.now();
    const payload = JSON.stringify({ id: newId('evt'), type, createdAt, tenantId, data });
    for (const hook of hooks) await this.store.enqueue({ webhookId: hook.id, tenantId, event: type, payload, at: createdAt });
    this.kick();
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Runs the worker now (after an event), or as soon as the current run ends. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.runOnce();
  }

  /** Wakes up when the next retry is due, and at least every pollMs (deliveries queued by other nodes). */
  private schedule(soonest: number | null): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = soonest === null ? this.options.pollMs : Math.min(Math.max(soonest - Date.now(), 0), this.options.pollMs);
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    this.running = true;
    let soonest: number | null = null;
    try {
      do {
        this.again = false;
        const due = await this.store.dueDeliveries(Date.now(), 50);
        await Promise.all(due.map((d) => this.attempt(d)));
      } while (this.again && !this.stopped);
      soonest = await this.store.nextAttemptAt();
    } catch (err) {
      this.log.error({ err }, 'webhook worker failed');
    } finally {
      this.running = false;
      this.schedule(soonest);
    }
  }

  private async attempt(d: DeliveryRecord): Promise<void> {
    const lease = Date.now() + this.options.timeoutMs + 5_000;
    if (d.nextAttemptAt === null || !(await this.store.claim(d.id, d.nextAttemptAt, lease))) return;
    const hook = await this.store.secretOf(d.webhookId);
    if (!hook || hook.disabled) {
      await this.store.recordAttempt(d.id, { attempts: d.attempts, status: null, error: hook ? 'webhook disabled' : 'webhook deleted', delivered: false, nextAttemptAt: null });
      return;
    }
    const attempts = d.attempts + 1;
    const result = await this.send(hook.url, hook.secret, d);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const retry = !ok && attempts < this.options.maxAttempts;
    const nextAttemptAt = retry ? Date.now() + this.options.retryBaseMs * 2 ** (attempts - 1) : null;
    await this.store.recordAttempt(d.id, { attempts, status: result.status, error: result.error, delivered: ok, nextAttemptAt });
    if (!ok) this.log.info({ deliveryId: d.id, attempts, status: result.status, error: result.error, retry }, 'webhook delivery failed');
  }

  private async send(rawUrl: string, secret: string, d: DeliveryRecord): Promise<{ status: number | null; error: string | null }> {
    const check = await checkWebhookUrl(rawUrl, this.options.allowPrivate);
    if (!check.ok) return { status: null, error: check.reason };
    const url = check.url;
    const body = d.payload;
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Samepage-Webhooks/1',
      'samepage-signature': signPayload(secret, body),
      'samepage-event': d.event,
      'samepage-delivery': d.id,
    };
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const req = lib.request(url, { method: 'POST', headers, timeout: this.options.timeoutMs, ...(this.options.allowPrivate ? {} : { lookup: publicOnlyLookup }) }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? null, error: null }));
        res.on('error', (err) => resolve({ status: res.statusCode ?? null, error: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => resolve({ status: null, error: err.message }));
      req.end(body);
    });
  }
}
