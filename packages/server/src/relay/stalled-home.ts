import type { EndedBy } from '@samepage/protocol';
import { HOME_LOST, lockKey } from './home-lost.ts';
import type { LiveSession } from './live-session.ts';
import type { Relay } from './relay.ts';

/** What a session this node was home to before it stalled is now, as the bus and the history tell. */
export type Ownership =
  /** Still this node's; `lost` when the bus no longer had its record (Redis restarted empty). */
  | { kind: 'mine'; lost?: true }
  /** Its customer resumed on `home` meanwhile. */
  | { kind: 'moved'; home: string }
  /** Another node ended it (lost, or its resume refused). */
  | { kind: 'ended'; by: EndedBy; reason: string }
  /** Another node is ending or taking it over right now, or the history cannot be read: ask again later. */
  | { kind: 'unsure' };

/** Whether `session`, held in this node's memory, is still this node's to be home to. */
export async function ownershipOf(relay: Relay, session: LiveSession): Promise<Ownership> {
  const { cluster, deps } = relay;
  const [record, lock] = await Promise.all([cluster.loadSession(session.id), cluster.bus.getValue(lockKey(session.id))]);
  if (record && record.home !== cluster.nodeId) return { kind: 'moved', home: record.home };
  // This node's own takeover of the session (a few seconds ago) leaves its lock for a while.
  if (record) return lock === null || lock === `move:${cluster.nodeId}` ? { kind: 'mine' } : { kind: 'unsure' };
  // No record: ended by another node (its history row has the end), or the bus lost its keys (Redis restarted empty).
  const row = await deps.store.getSession(session.tenantId, session.id).catch(() => undefined);
  if (row === undefined) return { kind: 'unsure' };
  if (row?.ended_at) return { kind: 'ended', by: (row.ended_by ?? 'system') as EndedBy, reason: row.end_reason ?? HOME_LOST };
  // The history could not be written by the node that ended it (Postgres was down then).
  if (lock?.startsWith('end:')) return { kind: 'ended', by: 'system', reason: HOME_LOST };
  return { kind: 'mine', lost: true };
}

/**
 * A node that stalled (no heartbeat for longer than its `sp:alive` key lives: event loop blocked,
 * process paused, Redis out of reach) may have been taken for dead meanwhile: its sessions may
 * have been ended as lost, or taken over by the node where their customers resumed. Before it
 * acts as their home again (Cluster.mayActAsHome), it checks each session it was home to:
 *
 * - still its own: the writes held back meanwhile go out (Cluster.holdBack), and the record is
 *   written back if the bus had lost it;
 * - moved: handed over as when a `rehome` arrives (the customer's old socket is closed `replaced`,
 *   this node's consoles follow the session to its new home);
 * - ended: this node's sockets (the customer's tab, consoles and guests here) get the same
 *   `session_ended` as everyone else got, and nothing is ended, written or listed again.
 *
 * Throws when some cannot be told yet: the node stays fenced and checks again at its next heartbeat.
 */
export async function checkAfterStall(relay: Relay, sids: string[]): Promise<void> {
  const sessions = sids.map((sid) => relay.sessions.get(sid)).filter((s): s is LiveSession => s !== undefined && !s.ended);
  const verdicts = await Promise.all(sessions.map((session) => ownershipOf(relay, session)));
  let unsure = 0;
  for (const [i, session] of sessions.entries()) {
    const verdict = verdicts[i]!;
    // Handed over meanwhile (a `rehome` from its new home arrived first): nothing left here.
    if (relay.sessions.get(session.id) !== session) continue;
    switch (verdict.kind) {
      case 'mine':
        if (verdict.lost) relay.clusterRouter.save(session);
        break;
      case 'moved':
        relay.cluster.dropHeldBack(session.id);
        relay.clusterRouter.rehome(session.id, verdict.home);
        session.log.warn({ home: verdict.home }, 'back from a stall: the session had moved to another node');
        break;
      case 'ended':
        relay.cluster.dropHeldBack(session.id);
        relay.clusterRouter.closeEndedElsewhere(session, verdict.by, verdict.reason);
        break;
      case 'unsure':
        unsure += 1;
        break;
    }
  }
  if (unsure > 0) throw new Error(`back from a stall: cannot tell yet whether ${unsure} sessions are still this node's`);
}
