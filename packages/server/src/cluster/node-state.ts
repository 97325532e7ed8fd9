import type { Logger } from 'pino';
import type { Cluster } from './cluster.ts';

/**
 * This node's share of the cluster-wide tables: the visitors connected to it, how many agents of
 * each tenant have a console open on it, and the live sessions it is home to.
 *
 * One mechanism for all three. Each node writes only its own share, a hash at
 * `sp:state:<table>:<tenant>:<node>` that expires `STATE_TTL_MS` after its last renewal (every
 * heartbeat). A reader reads the shares of the nodes that are alive (the directory `sp:nodes`
 * and their `sp:alive:<node>` heartbeats), so a dead node stops counting as soon as its heartbeat
 * expires, and its share disappears with its expiry: nobody else ever deletes it, so no write is
 * lost to a race. Every change is announced on `sp:all`; nodes that watch the table re-read it.
 *
 * The `live` table is also the places of a capacity plan (putIfFewer), and a dead node's share of
 * it is still read (readHeld) while the node's sessions are held for their customers to resume.
 */
export type StateTable = 'visitors' | 'agents' | 'live';

export interface StateRow {
  node: string;
  field: string;
  value: string;
  /** From a node that died less than `Cluster.holdMs` ago (readHeld only). */
  down?: true;
}

/** Longer than the heartbeat expiry, so a node that stalls for a few seconds keeps its share. */
export const STATE_TTL_MS = 30_000;

interface Share {
  table: StateTable;
  tenant: string;
  fields: Map<string, string>;
}

export class NodeState {
  private readonly mine = new Map<string, Share>();
  private readonly listeners = new Map<string, Set<(tenant: string) => void>>();
  /** The node stopped (clear): sockets closing afterwards write nothing back. */
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly log: Logger,
  ) {}

  private keyOf(table: string, tenant: string, node: string): string {
    return `sp:state:${table}:${tenant}:${node}`;
  }

  /** The live sessions' share outlives the node's hold (the resume grace), so a dead node's sessions can still be read. */
  private ttlOf(table: StateTable): number {
    return table === 'live' ? Math.max(STATE_TTL_MS, this.cluster.holdMs) : STATE_TTL_MS;
  }

  /** Sets one row of this node's share and tells every node. */
  put(table: StateTable, tenant: string, field: string, value: string): void {
    if (this.stopped) return;
    const key = this.keyOf(table, tenant, this.cluster.nodeId);
    let share = this.mine.get(key);
    if (!share) this.mine.set(key, (share = { table, tenant, fields: new Map() }));
    if (share.fields.get(field) === value) return;
    share.fields.set(field, value);
    this.cluster.bus.setField(key, field, value, this.ttlOf(table)).catch((err: unknown) => this.log.warn({ err, table }, 'could not write node state'));
    this.announce(table, tenant);
  }

  remove(table: StateTable, tenant: string, field: string): void {
    const key = this.keyOf(table, tenant, this.cluster.nodeId);
    const share = this.mine.get(key);
    if (!share?.fields.delete(field)) return;
    if (share.fields.size === 0) this.mine.delete(key);
    this.cluster.bus.deleteField(key, field).catch((err: unknown) => this.log.warn({ err, table }, 'could not write node state'));
    this.announce(table, tenant);
  }

  /**
   * Sets one row of this node's share only while the table, counted over every node that is alive
   * or still holds its rows (Cluster.nodes), has fewer than `limit` rows: one atomic step on the
   * bus, so two nodes cannot both take the last place. Returns the count with the new row, or null.
   */
  async putIfFewer(table: StateTable, tenant: string, field: string, value: string, limit: number): Promise<number | null> {
    const { nodeId, directory } = this.cluster;
    const count = await this.cluster.bus.setFieldIfFewer({
      directory: directory.key,
      guardPrefix: directory.heldPrefix,
      sharePrefix: this.keyOf(table, tenant, ''),
      self: nodeId,
      field,
      value,
      limit,
      ttlMs: this.ttlOf(table),
    });
    if (count === null) return null;
    const key = this.keyOf(table, tenant, nodeId);
    let share = this.mine.get(key);
    if (!share) this.mine.set(key, (share = { table, tenant, fields: new Map() }));
    share.fields.set(field, value);
    this.announce(table, tenant);
    return count;
  }

  /** Deletes a row from a dead node's share: the session it was home to resumed on this node, which lists it now. */
  dropFrom(table: StateTable, tenant: string, node: string, field: string): void {
    if (node === this.cluster.nodeId) return;
    this.cluster.bus.deleteField(this.keyOf(table, tenant, node), field).catch((err: unknown) => this.log.warn({ err, table }, 'could not write node state'));
    this.announce(table, tenant);
  }

  /** Removes `field` from this node's share of `table`, whatever its tenant. */
  removeField(table: StateTable, field: string): void {
    for (const share of [...this.mine.values()]) if (share.table === table && share.fields.has(field)) this.remove(table, share.tenant, field);
  }

  /** This node's rows, read without the bus. */
  own(table: StateTable, tenant: string): ReadonlyMap<string, string> {
    return this.mine.get(this.keyOf(table, tenant, this.cluster.nodeId))?.fields ?? new Map();
  }

  /** The rows of every live node: this node's from memory, the others' from the bus. */
  async read(table: StateTable, tenant: string): Promise<StateRow[]> {
    return this.readFrom(table, tenant, await this.cluster.liveNodes(), []);
  }

  /** As read, and the rows of nodes that died less than `Cluster.holdMs` ago, marked `down`. */
  async readHeld(table: StateTable, tenant: string): Promise<StateRow[]> {
    const { alive, down } = await this.cluster.nodes();
    return this.readFrom(table, tenant, alive, down);
  }

  private async readFrom(table: StateTable, tenant: string, alive: string[], down: string[]): Promise<StateRow[]> {
    const self = this.cluster.nodeId;
    const rows: StateRow[] = [...this.own(table, tenant)].map(([field, value]) => ({ node: self, field, value }));
    const others = [...alive.filter((node) => node !== self), ...down];
    const shares = await Promise.all(others.map((node) => this.cluster.bus.getFields(this.keyOf(table, tenant, node))));
    for (const [i, share] of shares.entries()) {
      const node = others[i]!;
      const isDown = down.includes(node);
      for (const [field, value] of share) rows.push(isDown ? { node, field, value, down: true } : { node, field, value });
    }
    return rows;
  }

  /** Calls `listener(tenant)` whenever a node (this one included) changes its share of `table`. */
  onChange(table: StateTable, listener: (tenant: string) => void): void {
    let set = this.listeners.get(table);
    if (!set) this.listeners.set(table, (set = new Set()));
    set.add(listener);
  }

  /** Another node announced a change. */
  heard(table: string, tenant: string): void {
    for (const listener of this.listeners.get(table) ?? []) listener(tenant);
  }

  private announce(table: StateTable, tenant: string): void {
    this.cluster.broadcast({ t: 'changed', node: this.cluster.nodeId, table, tenant });
    queueMicrotask(() => this.heard(table, tenant));
  }

  /** On each heartbeat: renews this node's keys, and writes back any the bus lost (a Redis restart). */
  async refresh(): Promise<void> {
    await Promise.all(
      [...this.mine].map(async ([key, share]) => {
        const ttl = this.ttlOf(share.table);
        if (await this.cluster.bus.touch(key, ttl)) return;
        await Promise.all([...share.fields].map(([field, value]) => this.cluster.bus.setField(key, field, value, ttl)));
      }),
    );
  }

  /** The node is stopping: its share goes at once. */
  async clear(): Promise<void> {
    this.stopped = true;
    const keys = [...this.mine.keys()];
    this.mine.clear();
    await Promise.all(keys.map((key) => this.cluster.bus.deleteValue(key)));
  }
}
