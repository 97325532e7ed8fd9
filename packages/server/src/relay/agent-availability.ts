/**
 * Whether an agent of a tenant is online (has the console open), for the customer's widget:
 * with nobody online it offers "Leave a message" instead of a live session. Presence sockets
 * get `welcome.agentsOnline`, then an `availability` message whenever it changes.
 *
 * Across nodes: every node with agents of a tenant writes `sp:agents:<tenant>` = its node id
 * (short expiry, refreshed on each tick); a node without local agents reads that key. A node's
 * own stale write does not count for itself, so the last agent leaving is seen at once here and
 * within one expiry elsewhere.
 */
import type { Bus } from '../cluster/bus.ts';
import type { Peer } from './peer.ts';

const KEY_TTL_MS = 10_000;
export const AVAILABILITY_TICK_MS = 2_000;

export interface AvailabilityDeps {
  bus: Bus;
  nodeId(): string;
  /** Tenant ids of the consoles connected to this node (one entry per console). */
  agentTenants(): Iterable<string>;
}

export class AgentAvailability {
  private readonly watchers = new Map<Peer, string>();
  private readonly announced = new Map<string, boolean>();
  private readonly timer: NodeJS.Timeout;
  private ticking = false;

  constructor(
    private readonly deps: AvailabilityDeps,
    tickMs = AVAILABILITY_TICK_MS,
  ) {
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  private localTenants(): Set<string> {
    return new Set(this.deps.agentTenants());
  }

  /** Online here, or on another node of the cluster. */
  async isOnline(tenantId: string): Promise<boolean> {
    if (this.localTenants().has(tenantId)) return true;
    const writer = await this.deps.bus.getValue(`sp:agents:${tenantId}`).catch(() => null);
    return writer !== null && writer !== this.deps.nodeId();
  }

  /** A presence socket of `tenantId` that wants `availability` updates. */
  watch(peer: Peer, tenantId: string, online: boolean): void {
    this.watchers.set(peer, tenantId);
    if (!this.announced.has(tenantId)) this.announced.set(tenantId, online);
  }

  unwatch(peer: Peer): void {
    const tenantId = this.watchers.get(peer);
    this.watchers.delete(peer);
    if (tenantId && ![...this.watchers.values()].includes(tenantId)) this.announced.delete(tenantId);
  }

  /** An agent's console connected or left: tell that tenant's visitors now, not at the next tick. */
  changed(tenantId: string): void {
    const local = this.localTenants();
    if (local.has(tenantId)) void this.deps.bus.setValue(`sp:agents:${tenantId}`, this.deps.nodeId(), KEY_TTL_MS).catch(() => undefined);
    void this.announce(tenantId, local);
  }

  private async announce(tenantId: string, local: Set<string>): Promise<void> {
    if (!this.announced.has(tenantId)) return;
    const online = local.has(tenantId) || (await this.isOnline(tenantId));
    if (this.announced.get(tenantId) === online || !this.announced.has(tenantId)) return;
    this.announced.set(tenantId, online);
    for (const [peer, t] of this.watchers) if (t === tenantId) peer.sendMessage({ type: 'availability', agentsOnline: online });
  }

  /** Refreshes this node's keys and catches changes made on other nodes. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const local = this.localTenants();
      await Promise.all([...local].map((t) => this.deps.bus.setValue(`sp:agents:${t}`, this.deps.nodeId(), KEY_TTL_MS).catch(() => undefined)));
      await Promise.all([...this.announced.keys()].map((t) => this.announce(t, local)));
    } finally {
      this.ticking = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** A Set that reports each item added or removed (the relay's consoles, for `changed`). */
export class ObservedSet<T> extends Set<T> {
  private readonly onChange: (item: T) => void;

  constructor(onChange: (item: T) => void) {
    super();
    this.onChange = onChange;
  }

  override add(item: T): this {
    const fresh = !this.has(item);
    super.add(item);
    if (fresh) this.onChange(item);
    return this;
  }

  override delete(item: T): boolean {
    const had = super.delete(item);
    if (had) this.onChange(item);
    return had;
  }
}
