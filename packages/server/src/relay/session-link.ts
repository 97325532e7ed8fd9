import type { ClientMessage, Participant } from '@samepage/protocol';
import type { UserRecord } from '../store.ts';
import type { Peer } from './peer.ts';
import type { Relay } from './relay.ts';

/**
 * A console (or a guest with a link) on this node in a session whose home (the node holding the
 * customer's socket) is another node. Messages go to the home over the bus; the home's answers
 * and DOM frames come back on this node's channel and go straight to the socket. The home runs
 * every check.
 *
 * Backpressure: the viewer's socket is bounded here (its ViewerFlow). When it falls behind, the
 * home is told to stop publishing its DOM frames (`behind`), so a slow viewer costs neither the bus
 * nor this node anything; once it has drained it asks the home for the late-join cache, which the
 * home sends as one snapshot before resuming its live frames.
 */
export class SessionLink {
  participant: Participant | null = null;
  /** Set when the home is found dead, so the console is told once that the customer is reconnecting. */
  homeLost = false;
  /** The console speaks end-to-end encryption (its hello said so); the home checks it on attach. */
  e2ee = false;
  /** Set for a guest's link (no user): its name and the tenant its link was made for. */
  guest: { name: string; tenantId: string } | null = null;
  /** The home was told this viewer is behind and sends it no DOM frames. */
  private pausedAtHome = false;

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    private readonly user: UserRecord | null,
    readonly sessionId: string,
    public home: string,
    private readonly onGone: () => void,
  ) {}

  open(via: string, participant?: Participant): void {
    this.participant = participant ?? null;
    this.relay.clusterRouter.links.set(this.peer.connId, this);
    // The cache lives on the home: a viewer that fell behind asks it for a keyframe and gets
    // no deltas until one arrives.
    this.peer.watchFlow({
      maxBufferedBytes: this.relay.deps.config.viewerMaxBufferedBytes,
      stats: this.relay.flow,
      resync: () => {
        // The home resumes this viewer's frames after sending it the cache, in that order.
        this.pausedAtHome = false;
        this.forward({ type: 'keyframe_request' });
        return null;
      },
    });
    this.sendAttach(via);
  }

  private sendAttach(via: string): void {
    const { cluster } = this.relay;
    const who = this.guest ? { guest: this.guest } : this.user ? { user: withoutHash(this.user) } : null;
    if (!who) return;
    cluster.send(this.home, {
      t: 'attach',
      sid: this.sessionId,
      node: cluster.nodeId,
      conn: this.peer.connId,
      ...who,
      via,
      ip: this.peer.ip,
      origin: this.peer.serverOrigin,
      participant: this.participant ?? undefined,
      ...(this.e2ee ? { e2ee: true } : {}),
    });
  }

  /** An encrypted frame from the console: to the home, which polices and routes it (e2ee-router.ts). */
  forwardFrame(frame: Uint8Array): void {
    this.relay.cluster.sendUpFrame(this.home, this.peer.connId, frame);
  }

  forward(m: ClientMessage): void {
    this.relay.cluster.send(this.home, { t: 'msg', node: this.relay.cluster.nodeId, conn: this.peer.connId, m });
  }

  leave(): void {
    this.forward({ type: 'leave' });
    this.drop();
  }

  disconnected(): void {
    this.relay.cluster.send(this.home, { t: 'close', node: this.relay.cluster.nodeId, conn: this.peer.connId });
    this.drop();
  }

  /** The home moved (failover or takeover): join there again with the same participant. */
  moveTo(home: string): void {
    this.home = home;
    this.homeLost = false;
    this.pausedAtHome = false;
    this.sendAttach('failover');
  }

  deliver(encoded: string): void {
    if (encoded.startsWith('{"type":"session_ended"')) this.drop();
    if (!this.peer.closed) this.peer.socket.send(encoded);
  }

  frame(frame: Uint8Array): void {
    this.peer.sendFrame(frame);
    if (this.peer.behind && !this.pausedAtHome) {
      this.pausedAtHome = true;
      this.relay.cluster.send(this.home, { t: 'behind', node: this.relay.cluster.nodeId, conn: this.peer.connId });
    }
  }

  /** The late-join cache from the home (on joining, or after falling behind): sent as a snapshot. */
  snapshot(frames: Uint8Array[]): void {
    this.peer.sendSnapshot(frames);
  }


  end(code: number, reason: string): void {
    this.drop();
    this.peer.close(code, reason);
  }

  private drop(): void {
    this.pausedAtHome = false;
    this.peer.stopFlow();
    if (this.relay.clusterRouter.links.get(this.peer.connId) === this) this.relay.clusterRouter.links.delete(this.peer.connId);
    this.onGone();
  }
}

/** A user as sent between nodes: never the password hash. */
function withoutHash(user: UserRecord): Omit<UserRecord, 'passwordHash'> {
  const { passwordHash: _, ...rest } = user;
  return rest;
}
