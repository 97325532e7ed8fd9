import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Bus, BusHandler, BusStatus, FieldClaim } from './bus.ts';

/**
 * Bus.setFieldIfFewer as one Lua script, so no other command runs between the count and the set.
 * It reads keys it is not given in KEYS (the shares named by the directory): fine on one Redis,
 * not on Redis Cluster, which Samepage does not use.
 */
const SET_FIELD_IF_FEWER = `
local prefix, guard, self, field = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nodes = redis.call('HKEYS', KEYS[1])
table.insert(nodes, self)
local counted, seen, count = {}, {}, 0
for _, node in ipairs(nodes) do
  if not counted[node] and (node == self or redis.call('EXISTS', guard .. node) == 1) then
    counted[node] = true
    for _, f in ipairs(redis.call('HKEYS', prefix .. node)) do
      if not seen[f] then
        seen[f] = true
        count = count + 1
      end
    end
  end
end
if not seen[field] then
  if count >= tonumber(ARGV[6]) then return -1 end
  count = count + 1
end
redis.call('HSET', prefix .. self, field, ARGV[5])
redis.call('PEXPIRE', prefix .. self, ARGV[7])
return count
`;

/**
 * The bus of a multi-node Samepage: Redis pub/sub (one subscriber connection per node, so the
 * order of messages from one publisher is kept across channels) and Redis keys with PX expiry.
 */
export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, Set<BusHandler>>();
  private unacknowledged = 0;
  private publishErrors = 0;

  constructor(url: string, log: Logger) {
    const options = { maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: false };
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    for (const client of [this.pub, this.sub]) client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const set = this.handlers.get(channel.toString());
      if (!set) return;
      for (const handler of set) handler(message);
    });
  }

  /** Fails fast at start-up when Redis cannot be reached. */
  async ready(): Promise<void> {
    await Promise.all([this.pub.ping(), this.sub.ping()]);
  }

  publish(channel: string, payload: Buffer | string): void {
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    this.unacknowledged += bytes;
    this.pub
      .publish(channel, payload)
      .catch(() => void (this.publishErrors += 1))
      .finally(() => (this.unacknowledged -= bytes));
  }

  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      await this.sub.subscribe(channel);
    }
    set.add(handler);
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    await this.pub.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.pub.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
  }

  async getValue(key: string): Promise<string | null> {
    return this.pub.get(key);
  }

  async deleteValue(key: string): Promise<void> {
    await this.pub.del(key);
  }

  async setField(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    await this.pub.multi().hset(key, field, value).pexpire(key, Math.max(1, Math.round(ttlMs))).exec();
  }

  async deleteField(key: string, field: string): Promise<void> {
    await this.pub.hdel(key, field);
  }

  async getFields(key: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.pub.hgetall(key)));
  }

  async setFieldIfFewer(c: FieldClaim): Promise<number | null> {
    const limit = Number.isFinite(c.limit) ? String(c.limit) : String(Number.MAX_SAFE_INTEGER);
    const ttl = String(Math.max(1, Math.round(c.ttlMs)));
    const count = (await this.pub.eval(SET_FIELD_IF_FEWER, 1, c.directory, c.sharePrefix, c.guardPrefix, c.self, c.field, c.value, limit, ttl)) as number;
    return count < 0 ? null : count;
  }

  async touch(key: string, ttlMs: number): Promise<boolean> {
    return (await this.pub.pexpire(key, Math.max(1, Math.round(ttlMs)))) === 1;
  }

  /**
   * Bytes published and not yet acknowledged by Redis: queued here, in the kernel's buffers, or
   * waiting in Redis. Counted per reply, so it does not depend on the size of socket buffers.
   */
  backlogBytes(): number {
    return this.unacknowledged;
  }

  /** Connected when both connections are ready (ioredis reconnects by itself; commands wait meanwhile). */
  status(): BusStatus {
    return { connected: this.pub.status === 'ready' && this.sub.status === 'ready', publishErrors: this.publishErrors };
  }

  async close(): Promise<void> {
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }
}
