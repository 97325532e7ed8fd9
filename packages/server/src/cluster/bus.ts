/**
 * What the nodes of one Samepage share: ordered pub/sub channels and a small key-value store with
 * expiry. One node uses the in-process bus; several nodes use Redis (redis-bus.ts). The relay uses
 * the same code on both, so a single node is simply a cluster of one.
 */
export type BusHandler = (payload: Buffer) => void;

export interface Bus {
  /** Fire-and-forget; messages from one node on one bus arrive in the order they were published. */
  publish(channel: string, payload: Buffer | string): void;
  /** Resolves once the subscription is active. */
  subscribe(channel: string, handler: BusHandler): Promise<void>;
  setValue(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent (SET NX); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  getValue(key: string): Promise<string | null>;
  deleteValue(key: string): Promise<void>;
  /** Sets one field of the map at `key` (a Redis hash) and (re)starts the key's expiry. */
  setField(key: string, field: string, value: string, ttlMs: number): Promise<void>;
  deleteField(key: string, field: string): Promise<void>;
  /** Every field of the map at `key`; empty when there is no such key. */
  getFields(key: string): Promise<Map<string, string>>;
  /** Restarts the expiry of `key`; false when the key no longer exists (it expired, or the bus lost it). */
  touch(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Atomically, for a table kept as one hash per node at `<sharePrefix><node>`: counts the distinct
   * fields of the shares of `self` and of every node listed in the hash `directory` whose key
   * `<guardPrefix><node>` exists. When `field` is among them or they are fewer than `limit`, sets
   * it in the share of `self` (restarting its expiry) and returns the count with it; otherwise
   * changes nothing and returns null. This is how a place of a capacity plan is taken (node-state.ts).
   */
  setFieldIfFewer(claim: FieldClaim): Promise<number | null>;
  /** Bytes published and not yet taken by the bus (the publisher's backlog); 0 in process. */
  backlogBytes(): number;
  /** For /metrics: whether the bus is usable now, and how many publishes it has failed since start. */
  status(): BusStatus;
  close(): Promise<void>;
}

export interface BusStatus {
  connected: boolean;
  publishErrors: number;
}

/** See Bus.setFieldIfFewer. */
export interface FieldClaim {
  directory: string;
  guardPrefix: string;
  sharePrefix: string;
  self: string;
  field: string;
  value: string;
  limit: number;
  ttlMs: number;
}

/** The single-node bus: a map with expiry and synchronous-order channels inside this process. */
export class MemoryBus implements Bus {
  private readonly values = new Map<string, { value: string; expiresAt: number }>();
  private readonly maps = new Map<string, { fields: Map<string, string>; expiresAt: number }>();
  private readonly channels = new Map<string, Set<BusHandler>>();

  constructor(private readonly now: () => number = Date.now) {}

  publish(channel: string, payload: Buffer | string): void {
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    // Delivered after the caller's turn, as over Redis, in publication order.
    queueMicrotask(() => {
      for (const handler of handlers) handler(bytes);
    });
  }

  async subscribe(channel: string, handler: BusHandler): Promise<void> {
    let set = this.channels.get(channel);
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(handler);
  }

  async setValue(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: this.now() + ttlMs });
    if (this.values.size % 1000 === 0) this.prune();
  }

  /** Atomic: the check and the set happen in one turn of the event loop. */
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.read(key) !== null) return false;
    this.values.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async getValue(key: string): Promise<string | null> {
    return this.read(key);
  }

  private read(key: string): string | null {
    const entry = this.values.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.values.delete(key);
      return null;
    }
    return entry.value;
  }

  async deleteValue(key: string): Promise<void> {
    this.values.delete(key);
    this.maps.delete(key);
  }

  /** Synchronous up to its return, like the other writes: a publish that follows sees the field. */
  async setField(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    const map = this.readMap(key) ?? { fields: new Map<string, string>(), expiresAt: 0 };
    map.fields.set(field, value);
    map.expiresAt = this.now() + ttlMs;
    this.maps.set(key, map);
  }

  async deleteField(key: string, field: string): Promise<void> {
    const map = this.readMap(key);
    if (!map) return;
    map.fields.delete(field);
    if (map.fields.size === 0) this.maps.delete(key);
  }

  async getFields(key: string): Promise<Map<string, string>> {
    return new Map(this.readMap(key)?.fields ?? []);
  }

  /** Atomic: counted and set in one turn of the event loop. */
  async setFieldIfFewer(c: FieldClaim): Promise<number | null> {
    const nodes = new Set([...(this.readMap(c.directory)?.fields.keys() ?? []), c.self]);
    const seen = new Set<string>();
    for (const node of nodes) {
      if (node !== c.self && this.read(c.guardPrefix + node) === null) continue;
      for (const field of this.readMap(c.sharePrefix + node)?.fields.keys() ?? []) seen.add(field);
    }
    if (!seen.has(c.field) && seen.size >= c.limit) return null;
    seen.add(c.field);
    const share = this.readMap(c.sharePrefix + c.self) ?? { fields: new Map<string, string>(), expiresAt: 0 };
    share.fields.set(c.field, c.value);
    share.expiresAt = this.now() + c.ttlMs;
    this.maps.set(c.sharePrefix + c.self, share);
    return seen.size;
  }

  async touch(key: string, ttlMs: number): Promise<boolean> {
    const map = this.readMap(key);
    if (map) map.expiresAt = this.now() + ttlMs;
    else if (this.read(key) !== null) this.values.get(key)!.expiresAt = this.now() + ttlMs;
    else return false;
    return true;
  }

  backlogBytes(): number {
    return 0;
  }

  status(): BusStatus {
    return { connected: true, publishErrors: 0 };
  }

  private readMap(key: string): { fields: Map<string, string>; expiresAt: number } | null {
    const map = this.maps.get(key);
    if (!map) return null;
    if (map.expiresAt <= this.now()) {
      this.maps.delete(key);
      return null;
    }
    return map;
  }

  async close(): Promise<void> {
    this.channels.clear();
  }

  private prune(): void {
    const t = this.now();
    for (const [key, entry] of this.values) if (entry.expiresAt <= t) this.values.delete(key);
    for (const [key, map] of this.maps) if (map.expiresAt <= t) this.maps.delete(key);
  }
}
