/**
 * Whether an agent of a tenant is online (has the console open), for the customer's widget:
 * with nobody online it offers "Leave a message" instead of a live session. Presence sockets
 * get `welcome.agentsOnline`, then an `availability` message whenever it changes.
 *
 * Across nodes: each node keeps the number of consoles of each tenant open on it in its share of
 * the `agents` table (cluster/node-state.ts). A change is announced on the broadcast channel, so
 * every node re-checks at once; a node that dies stops counting when its heartbeat expires, which
 * the periodic tick catches.
 */
import { coalesce } from '../cluster/coalesce.ts';
import type { NodeState } from '../cluster/node-state.ts';
import type { Peer } from './peer.ts';

export const AVAILABILITY_TICK_MS = 2_000;

export interface AvailabilityDeps {
  /** This node's share of the cluster-wide tables. */
  state: NodeState;
  /** Tenant ids of the consoles connected to this node (one entry per console). */
  agentTenants(): Iterable<string>;
}

export class AgentAvailability {
  private readonly watchers = new Map<Peer, string>();
  private readonly announced = new Map<string, boolean>();
  private readonly timer: NodeJS.Timeout;
  /** Re-checks a tenant, one check at a time (changes that arrive meanwhile fold into one more). */
  private readonly recheck = coalesce((tenantId) => this.announce(tenantId));

  constructor(
    private readonly deps: AvailabilityDeps,
    tickMs = AVAILABILITY_TICK_MS,
  ) {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
    deps.state.onChange('agents', (tenantId) => this.recheck(tenantId));
  }

  private localCount(tenantId: string): number {
    let n = 0;
    for (const t of this.deps.agentTenants()) if (t === tenantId) n++;
    return n;
  }

  /** Online here, or on any other live node of the cluster. */
  async isOnline(tenantId: string): Promise<boolean> {
    if (this.localCount(tenantId) > 0) return true;
    const rows = await this.deps.state.read('agents', tenantId).catch(() => []);
    return rows.some((row) => Number(row.value) > 0);
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

  /** An agent's console connected or left here: update this node's count, which tells every node. */
  changed(tenantId: string): void {
    const n = this.localCount(tenantId);
    if (n > 0) this.deps.state.put('agents', tenantId, 'consoles', String(n));
    else this.deps.state.remove('agents', tenantId, 'consoles');
  }

  private async announce(tenantId: string): Promise<void> {
    if (!this.announced.has(tenantId)) return;
    const online = await this.isOnline(tenantId);
    if (this.announced.get(tenantId) === online || !this.announced.has(tenantId)) return;
    this.announced.set(tenantId, online);
    for (const [peer, t] of this.watchers) if (t === tenantId) peer.sendMessage({ type: 'availability', agentsOnline: online });
  }

  /** Catches agents lost with a node that died (no announcement comes from a dead node). */
  tick(): void {
    for (const tenantId of this.announced.keys()) this.recheck(tenantId);
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
