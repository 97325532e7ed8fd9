import { encodeMessage, type SessionEndReason } from '@samepage/protocol';
import type { SessionRecord } from '../cluster/cluster.ts';
import { createRecordingStore } from '../recording-store.ts';
import type { Relay } from './relay.ts';

/** Why a session whose home node is gone, and whose customer did not resume it in time, ended. */
export const HOME_LOST: SessionEndReason = 'home_lost';

/** How long one node keeps the right to end a session; another node retries after it if that node died meanwhile. */
const ENDING_LOCK_MS = 30_000;
/** How long a node taking a session over keeps it from being ended as lost (the new home is written by then). */
const MOVING_LOCK_MS = 10_000;
const SWEEP_MS = 1000;

/** `sp:ending:<id>`: `end:<node>` while a node ends the session, `move:<node>` while a node takes it over. */
export const lockKey = (sid: string) => `sp:ending:${sid}`;

/**
 * Ends the sessions whose home node is gone (it died, or stopped cleanly) and whose customer did
 * not resume them on another node within the resume grace. Every node looks once a second
 * (Cluster.homesToEnd); for each such session one node, the one that takes `sp:ending:<id>`,
 * ends it as the home would have: agents and guests on every node get `session_ended` (system,
 * `home_lost`), the history row is closed, the audit entry and the `session.ended` webhook are
 * written once, the visitor's "in a session" marks are cleared, the recording is marked finished,
 * and the session record goes, so a late resume gets `session_ended`.
 */
export class HomeLostSessions {
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(private readonly relay: Relay) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass: ends every session of a gone node still waiting for its customer. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (const { node, sessions } of await this.relay.cluster.homesToEnd()) {
        for (const sid of sessions.keys()) await this.end(node, sid);
      }
    } catch (err) {
      this.relay.deps.log.warn({ err }, 'could not end the sessions of a lost node');
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * A takeover of a session whose home is not alive: true when this node may go on (it holds the
   * session for the move, or another takeover does), false when the session is being ended or its
   * grace is over (the caller answers `session_ended`).
   */
  async mayTakeOver(record: SessionRecord, sid: string): Promise<boolean> {
    const { cluster } = this.relay;
    if (await cluster.isGone(record.home)) {
      await this.end(record.home, sid);
      return false;
    }
    if (await cluster.bus.setIfAbsent(lockKey(sid), `move:${cluster.nodeId}`, MOVING_LOCK_MS)) return true;
    return !(await cluster.bus.getValue(lockKey(sid)))?.startsWith('end:');
  }

  /** Ends `sid`, last homed on the gone node `node`, once across the cluster. */
  async end(node: string, sid: string): Promise<void> {
    const { cluster, deps } = this.relay;
    if (!(await cluster.bus.setIfAbsent(lockKey(sid), `end:${cluster.nodeId}`, ENDING_LOCK_MS))) return;
    const record = await cluster.loadSession(sid);
    // Ended already, or moved to another home: no longer the gone node's.
    if (!record || record.home !== node) {
      cluster.dropHomed(node, sid);
      if (record) await cluster.bus.deleteValue(lockKey(sid));
      return;
    }
    // Its home came back (it had only stalled): still its own.
    if (!(await cluster.isGone(node))) return void (await cluster.bus.deleteValue(lockKey(sid)));
    await this.endForEveryone(node, record, sid, HOME_LOST);
    deps.log.info({ sessionId: sid, tenantId: record.tenantId, home: node, endedBy: 'system', reason: HOME_LOST }, 'session ended: its home is gone and the customer did not resume');
  }

  /**
   * A customer resumed on this node a session whose home is gone, and it could not continue here
   * (no place left in the capacity plan): ended for everyone with `reason`, as a lost one is.
   * Called while this node holds the session for the move (mayTakeOver).
   */
  async endRefused(record: SessionRecord, sid: string, reason: SessionEndReason): Promise<void> {
    const { cluster, deps } = this.relay;
    await cluster.bus.setValue(lockKey(sid), `end:${cluster.nodeId}`, ENDING_LOCK_MS);
    const fresh = await cluster.loadSession(sid);
    // Ended, or moved elsewhere, meanwhile: nothing left to end.
    if (!fresh || fresh.home !== record.home) return;
    await this.endForEveryone(record.home, fresh, sid, reason);
    deps.log.info({ sessionId: sid, tenantId: record.tenantId, home: record.home, endedBy: 'system', reason }, 'session ended: its resume was refused');
  }

  /** Ends `sid`, homed on `node` (which is gone), for every node but that one; the caller holds `sp:ending:<id>`. */
  private async endForEveryone(node: string, record: SessionRecord, sid: string, reason: SessionEndReason): Promise<void> {
    const { cluster, deps } = this.relay;
    const endedAt = Date.now();
    const log = deps.log.child({ sessionId: sid, tenantId: record.tenantId, home: node });
    const ended = encodeMessage({ type: 'session_ended', endedBy: 'system', reason });
    for (const member of record.members) {
      if (member.node === node) continue;
      if (member.node === cluster.nodeId) this.relay.clusterRouter.links.get(member.conn)?.deliver(ended);
      else cluster.send(member.node, { t: 'send', conn: member.conn, m: ended });
    }
    this.relay.visitors.clearMarks(record.presence ?? []);
    const { store } = deps;
    await Promise.all([
      store.recordSessionEnd(record.tenantId, sid, 'system', reason).catch((err: unknown) => log.error({ err }, 'could not record session end')),
      store.audit(record.tenantId, { type: 'system', id: null }, 'session.end', sid, { endedBy: 'system', reason }).catch((err: unknown) => log.error({ err }, 'could not audit session end')),
      // Frames the lost node had not written yet (up to a second of them) are lost with it.
      record.policy.recorded ? createRecordingStore(store.db).finish(record.tenantId, sid, endedAt).catch((err: unknown) => log.error({ err }, 'could not finish the recording')) : undefined,
    ]);
    this.relay.events.emit(record.tenantId, 'session.ended', { sessionId: sid, siteId: record.siteId, endedBy: 'system', reason, startedAt: record.startedAt, endedAt });
    cluster.endLostSession(node, record.tenantId, sid);
  }
}
