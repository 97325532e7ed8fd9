import type { Logger } from 'pino';
import type { ClientMessage, Participant, SitePolicyPublic, VisitorIdentity } from '@samepage/protocol';
import { newId } from '../ids.ts';
import type { UserRecord } from '../store.ts';
import type { PeerSocket } from '../relay/peer.ts';
import type { Bus } from './bus.ts';
import { NodeState } from './node-state.ts';
import { NodeRequests, type NodeQuestion } from './node-requests.ts';
import { isDroppable } from '../relay/flow.ts';
import { decodeFrames, encodeFrames, FRAME_KIND, joinFrames, SNAPSHOT_KIND, splitFrames, UP_FRAME_KIND } from './bus-frames.ts';

/**
 * Where a live session lives, kept on the bus so any node can route to it or, when its home node
 * is gone, take it over. Written by the home node whenever membership changes.
 */
export interface SessionRecord {
  home: string;
  tenantId: string;
  siteId: string;
  /** sha256 of the customer's resume token; the token itself never leaves the customer's tab and the home node. */
  tokenHash: string;
  policy: SitePolicyPublic;
  controlRoles: string[];
  visitor?: VisitorIdentity;
  page: { url: string; title: string };
  startedAt: number;
  formerAgents: string[];
  /** Agents and where their sockets are; they keep their participant id when the home moves. */
  members: Array<{ node: string; conn: string; participant: Participant }>;
  /** End-to-end encrypted sessions: the next member number to give out (numbers are never reused). */
  e2eeNextMember?: number;
  /** The visitors' presence tabs shown as in this session, and their nodes: a new home clears them when the session ends. */
  presence?: Array<{ id: string; node: string }>;
}

/** A user as sent between nodes: never the password hash. */
export type WireUser = Omit<UserRecord, 'passwordHash'>;

/** A console, or a guest with a link, as its node tells the session's home about it. */
export type AttachWho = { user: WireUser; guest?: undefined } | { user?: undefined; guest: { name: string; tenantId: string } };

/** Messages on a node's own channel `sp:node:<id>`. JSON, except DOM frames (binary, see bus-frames.ts). */
export type Envelope =
  /** viewer's node → home: this console (or guest) joins the session (again, with its participant, after a move). */
  | ({ t: 'attach'; sid: string; node: string; conn: string; via: string; ip: string; origin: string; participant?: Participant; e2ee?: boolean } & AttachWho)
  /** agent's node → home: a message from the console, or its socket closed. */
  | { t: 'msg'; node: string; conn: string; m: ClientMessage }
  | { t: 'close'; node: string; conn: string }
  /** viewer's node → home: this viewer fell behind; send it no DOM frames until it asks for a keyframe. */
  | { t: 'behind'; node: string; conn: string }
  /** home → agent's node: an encoded server message for the console, its participant, or a close. */
  | { t: 'send'; conn: string; m: string }
  | { t: 'linked'; conn: string; sid: string; participant: Participant }
  | { t: 'end'; conn: string; code: number; reason: string }
  /** new home → every node of the session: the session moved; re-attach there. */
  | { t: 'rehome'; sid: string; home: string }
  /** Co-browse requests (visitor-registry.ts): agent's node → visitor's node, and the answers back. */
  | { t: 'cobrowse_ask'; requestId: string; visitorId: string; agentNode: string; agentName: string; company: string }
  | { t: 'cobrowse_answered'; requestId: string; visitorId: string; accepted: boolean; gone?: boolean }
  | { t: 'cobrowse_session'; requestId: string; sessionId: string; home: string }
  /** A session's home → the visitor's node: show this tab as in a session, or not. */
  | { t: 'visitor_update'; visitorId: string; inSession: boolean }
  /** Any node → another: a question from an HTTP route about a session that node holds, and its answer (node-requests.ts). */
  | { t: 'ask'; id: string; from: string; ask: NodeQuestion }
  | { t: 'answer'; id: string; answer: unknown }
  /** On `sp:all`, to every other node: an admin cut this user's sockets (disabled, logged out everywhere). */
  | { t: 'disconnect_user'; node: string; userId: string; reason: 'forbidden' | 'unauthorized' };

/** On `sp:all`: `node` changed its share of `table` for `tenant` (node-state.ts); readers re-read. */
export interface ChangedNotice {
  t: 'changed';
  node: string;
  table: string;
  tenant: string;
}

const SESSION_TTL_MS = 24 * 3600 * 1000;
const ALIVE_TTL_MS = 4000;
export const HEARTBEAT_MS = ALIVE_TTL_MS / 4;
/**
 * No heartbeat reached the bus for this long: the node's `sp:alive` key may have expired, so the
 * others may have taken it for dead (taken its sessions over, or ended them as lost). A heartbeat
 * short of the key's expiry, so a node that was only slow is checked too.
 */
const STALLED_AFTER_MS = ALIVE_TTL_MS - HEARTBEAT_MS;
/** The node directory: every node that has started, with its start time; dead ones are pruned by readers. */
const DIRECTORY_KEY = 'sp:nodes';
const DIRECTORY_TTL_MS = 24 * 3600 * 1000;
/**
 * `sp:held:<node>`: renewed with the heartbeat, it outlives it by the customers' resume grace. While
 * it exists, the sessions of a node that died stay on the live-sessions list and hold their places
 * of a capacity plan, waiting for their customers to resume on another node.
 */
const HELD_PREFIX = 'sp:held:';
/**
 * `sp:homed:<node>`: the sessions a node is home to (session id → tenant), renewed with its
 * heartbeat and kept as long as the session records. When the node is gone and its sessions'
 * resume grace is over, a surviving node ends each one still listed here (relay/home-lost.ts).
 */
const HOMED_PREFIX = 'sp:homed:';
/** `sp:grace:<node>`: a node that stopped cleanly gives its places back at once, but its customers may still resume for the grace. */
const GRACE_PREFIX = 'sp:grace:';
/** Everyone's channel: notices and commands for every node. */
export const BROADCAST_CHANNEL = 'sp:all';
/**
 * Past this many bytes queued towards the bus, DOM frames for viewers on other nodes are dropped
 * (their consoles see the gap and ask for a keyframe) instead of queued without limit.
 */
export const MAX_BUS_BACKLOG_BYTES = 16 * 1024 * 1024;

export interface ClusterHandlers {
  /** A message on this node's channel, or a broadcast from another node. */
  onEnvelope(envelope: Envelope): void;
  onFrames(conns: string[], frame: Uint8Array): void;
  /** The home sent a viewer on this node the late-join cache (keyframe and deltas). */
  onSnapshot(conn: string, frames: Uint8Array[]): void;
  /** On the home node: a console on node `node` (socket `conn`) sent this binary frame. */
  onUpFrame?(node: string, conn: string, frame: Uint8Array): void;
}

/**
 * What the relay does when this node comes back from a stall (relay/stalled-home.ts): for each
 * session this node was home to, whether it still is; the ones that are not, it closes locally.
 * Throws when it cannot tell yet: the node stays fenced and asks again at the next heartbeat.
 */
export type StallCheck = (sessions: string[]) => Promise<void>;

export interface ClusterOptions {
  /** HOST_RESUME_GRACE_MS: how long a customer may take to resume; a dead node's sessions are held that long. */
  resumeGraceMs?: number;
}

/** This node's place in the cluster: its channel, its heartbeat, and the session records. */
export class Cluster {
  readonly nodeId = newId('node');
  readonly startedAt = Date.now();
  /** This node's share of the cluster-wide tables: visitors, agents online, live sessions. */
  readonly state: NodeState;
  /** Frames not published because the bus backlog was over its bound (MAX_BUS_BACKLOG_BYTES). */
  framesDroppedAtBus = 0;
  /** Frames not published to a viewer on another node because it said it is behind. */
  framesHeldForPaused = 0;
  /** How long after its last heartbeat a node's sessions are held (listed, counted): the resume grace, and at least the heartbeat's expiry. */
  readonly holdMs: number;
  /** Where a count across the nodes' shares finds the nodes, and which of them still hold their sessions (Bus.setFieldIfFewer). */
  readonly directory = { key: DIRECTORY_KEY, heldPrefix: HELD_PREFIX };
  /** Questions to other nodes waiting for their answer (HTTP routes about a session held elsewhere). */
  readonly requests: NodeRequests;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly writes = new Map<string, Promise<void>>();
  /** The sessions this node is home to (session id → tenant), as in its `sp:homed:<node>`. */
  private readonly homed = new Map<string, string>();
  private stopped = false;
  /** A check after a stall is running (one at a time). */
  private checking = false;
  /** Viewers on other nodes that are behind, by `node/conn`: they get no DOM frames until they catch up. */
  private readonly paused = new Set<string>();
  /** When the last heartbeat that reached the bus was sent. */
  private lastBeatAt = Date.now();
  /**
   * The sessions this node was home to when it found it may have been taken for dead (no heartbeat
   * for longer than STALLED_AFTER_MS: its event loop was blocked, the process paused, or Redis out
   * of reach); null when it acts as a home. Until the check (StallCheck) has told which are still
   * its own, it writes nothing as their home: see holdBack.
   */
  private stalledWith: string[] | null = null;
  /** Writes held back while stalled, per session and kind (the latest of each), run if the session is still this node's. */
  private readonly heldBack = new Map<string, Map<string, () => void>>();
  /** Set by the relay: what to check when the node comes back from a stall. */
  stallCheck: StallCheck | null = null;

  constructor(
    readonly bus: Bus,
    private readonly log: Logger,
    options: ClusterOptions = {},
  ) {
    this.holdMs = Math.max(ALIVE_TTL_MS, (options.resumeGraceMs ?? 30_000) + HEARTBEAT_MS);
    this.state = new NodeState(this, log);
    this.requests = new NodeRequests(this.nodeId, (node) => this.isAlive(node), (node, envelope) => this.send(node, envelope));
  }

  async start(handlers: ClusterHandlers): Promise<void> {
    await this.bus.subscribe(BROADCAST_CHANNEL, (payload) => {
      try {
        const e = JSON.parse(payload.toString('utf8')) as Envelope | ChangedNotice;
        if (e.t === 'changed') {
          if (e.node !== this.nodeId) this.state.heard(e.table, e.tenant);
        } else if (e.t === 'disconnect_user' && e.node !== this.nodeId) handlers.onEnvelope(e);
      } catch (err) {
        this.log.error({ err }, 'bad cluster broadcast');
      }
    });
    await this.bus.subscribe(`sp:node:${this.nodeId}`, (payload) => {
      try {
        if (payload[0] === FRAME_KIND) {
          const { conns, frame } = decodeFrames(payload);
          handlers.onFrames(conns, frame);
        } else if (payload[0] === SNAPSHOT_KIND) {
          const { conns, frame } = decodeFrames(payload);
          handlers.onSnapshot(conns[0] ?? '', splitFrames(frame));
        } else if (payload[0] === UP_FRAME_KIND) {
          const { conns, frame } = decodeFrames(payload);
          const [node = '', conn = ''] = conns;
          handlers.onUpFrame?.(node, conn, frame);
        } else {
          const e = JSON.parse(payload.toString('utf8')) as Envelope;
          if (e.t === 'answer') this.requests.answered(e.id, e.answer);
          else handlers.onEnvelope(e);
        }
      } catch (err) {
        this.log.error({ err }, 'bad cluster message');
      }
    });
    const beat = () => this.beat().catch((err: unknown) => this.log.warn({ err }, 'heartbeat failed'));
    this.lastBeatAt = Date.now();
    await beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * One heartbeat. A node that comes back from a stall first says it is alive (so no other node
   * starts ending its sessions now), then checks which of its sessions are still its own before
   * it writes any of their rows, index entries or records again.
   */
  private async beat(): Promise<void> {
    const sentAt = Date.now();
    const back = !this.mayActAsHome();
    await Promise.all([
      this.bus.setValue(`sp:alive:${this.nodeId}`, String(sentAt), ALIVE_TTL_MS),
      this.bus.setField(DIRECTORY_KEY, this.nodeId, String(this.startedAt), DIRECTORY_TTL_MS),
      this.bus.setValue(`${HELD_PREFIX}${this.nodeId}`, String(sentAt), this.holdMs),
    ]);
    if (back) {
      if (this.checking) return;
      this.checking = true;
      try {
        await this.stallCheck?.(this.stalledWith ?? []);
      } finally {
        this.checking = false;
      }
      this.lastBeatAt = sentAt;
      this.stalledWith = null;
      this.log.info({ held: this.heldBack.size }, 'back from a stall: checked which sessions are still this node\'s');
      const writes = [...this.heldBack.values()].flatMap((kinds) => [...kinds.values()]);
      this.heldBack.clear();
      for (const write of writes) write();
    } else {
      this.lastBeatAt = sentAt;
      // A beat sent before a stall and answered after it: the rows wait for the check.
      if (!this.mayActAsHome()) return;
    }
    await Promise.all([this.state.refresh(), this.refreshHomed()]);
  }

  /**
   * False from the moment this node may have been taken for dead by the others (no heartbeat
   * reached the bus for STALLED_AFTER_MS) until it has checked which of its sessions are still its
   * own: they may have been ended as lost, or taken over by another node, meanwhile.
   */
  mayActAsHome(): boolean {
    if (this.stalledWith === null && !this.stopped && Date.now() - this.lastBeatAt > STALLED_AFTER_MS) {
      this.stalledWith = [...this.homed.keys()];
      this.log.warn({ sessions: this.stalledWith.length, sinceHeartbeatMs: Date.now() - this.lastBeatAt }, 'no heartbeat for too long: holding the sessions back until checked');
    }
    return this.stalledWith === null;
  }

  /**
   * While the node cannot act as a home (mayActAsHome), keeps `write` (the latest of its `kind`
   * for session `sid`) for after the check, and returns true; otherwise returns false at once.
   */
  holdBack(sid: string, kind: string, write: () => void): boolean {
    if (this.mayActAsHome()) return false;
    let kinds = this.heldBack.get(sid);
    if (!kinds) this.heldBack.set(sid, (kinds = new Map()));
    kinds.set(kind, write);
    return true;
  }

  /** The check found `sid` is no longer this node's: what was held back for it is dropped. */
  dropHeldBack(sid: string): void {
    this.heldBack.delete(sid);
  }

  send(node: string, envelope: Envelope): void {
    this.bus.publish(`sp:node:${node}`, JSON.stringify(envelope));
  }

  /** To every other node (and not back to this one). */
  broadcast(envelope: Envelope | ChangedNotice): void {
    this.bus.publish(BROADCAST_CHANNEL, JSON.stringify(envelope));
  }

  /**
   * One publish per node, however many of its consoles watch the session. DOM frames skip viewers
   * that said they are behind, and are dropped when the bus backlog is over its bound.
   */
  sendFrame(node: string, conns: string[], frame: Uint8Array): void {
    let to = conns;
    if (isDroppable(frame)) {
      if (this.paused.size > 0) {
        to = conns.filter((conn) => !this.paused.has(`${node}/${conn}`));
        this.framesHeldForPaused += conns.length - to.length;
        if (to.length === 0) return;
      }
      if (this.bus.backlogBytes() > MAX_BUS_BACKLOG_BYTES) {
        this.framesDroppedAtBus += 1;
        return;
      }
    }
    this.bus.publish(`sp:node:${node}`, encodeFrames(to, frame));
  }

  /** Viewers on other nodes this node currently sends no DOM frames to. */
  get pausedViewers(): number {
    return this.paused.size;
  }

  /** A viewer on another node fell behind (true), or asked for the cache after catching up (false); see SessionLink. */
  setPaused(node: string, conn: string, paused: boolean): void {
    if (paused) this.paused.add(`${node}/${conn}`);
    else this.paused.delete(`${node}/${conn}`);
  }

  /** A console's encrypted frame, to its session's home; the frame's bytes are passed on as they are. */
  sendUpFrame(home: string, conn: string, frame: Uint8Array): void {
    const payload = encodeFrames([this.nodeId, conn], frame);
    payload[0] = UP_FRAME_KIND;
    this.bus.publish(`sp:node:${home}`, payload);
  }

  /** A socket on another node, as the session's home sees it. */
  remoteSocket(node: string, conn: string): PeerSocket {
    return {
      bufferedAmount: 0,
      send: (data) => (typeof data === 'string' ? this.send(node, { t: 'send', conn, m: data }) : this.sendFrame(node, [conn], data)),
      // Never held back or dropped: it is how a viewer that fell behind recovers.
      sendSnapshot: (frames) => {
        const payload = encodeFrames([conn], joinFrames(frames));
        payload[0] = SNAPSHOT_KIND;
        this.bus.publish(`sp:node:${node}`, payload);
      },
      close: (code, reason) => this.send(node, { t: 'end', conn, code, reason }),
    };
  }

  async isAlive(node: string): Promise<boolean> {
    return node === this.nodeId || (await this.bus.getValue(`sp:alive:${node}`)) !== null;
  }

  /** The nodes whose heartbeat is alive, this one included. */
  async liveNodes(): Promise<string[]> {
    return (await this.nodes()).alive;
  }

  /**
   * The nodes whose heartbeat is alive (this one included), and those that died less than
   * `holdMs` ago (`down`: their sessions are still held). Prunes the others from the directory.
   */
  async nodes(): Promise<{ alive: string[]; down: string[] }> {
    const known = [...(await this.bus.getFields(DIRECTORY_KEY)).keys()];
    const alive = await Promise.all(known.map((node) => this.isAlive(node)));
    const held = await Promise.all(known.map((node, i) => (alive[i] ? true : this.bus.getValue(`${HELD_PREFIX}${node}`).then((v) => v !== null))));
    const live = known.filter((_, i) => alive[i]);
    const down = known.filter((_, i) => !alive[i] && held[i]);
    // A node gone for good leaves the directory once no session of its is left to end (homesToEnd).
    const gone = known.filter((_, i) => !held[i]);
    const leftovers = await Promise.all(gone.map((node) => this.bus.getFields(`${HOMED_PREFIX}${node}`).then((f) => f.size > 0)));
    for (const [i, node] of gone.entries()) if (!leftovers[i]) void this.bus.deleteField(DIRECTORY_KEY, node).catch(() => undefined);
    if (!live.includes(this.nodeId)) live.push(this.nodeId);
    return { alive: live, down };
  }

  /**
   * The nodes that are gone (no heartbeat, no hold, no grace after a clean stop) with the sessions
   * they were home to that nobody has ended or taken over yet: session id → tenant. A gone node
   * with none left leaves the directory.
   */
  async homesToEnd(): Promise<Array<{ node: string; sessions: Map<string, string> }>> {
    const known = [...(await this.bus.getFields(DIRECTORY_KEY)).keys()].filter((node) => node !== this.nodeId);
    const found: Array<{ node: string; sessions: Map<string, string> }> = [];
    for (const node of known) {
      if (!(await this.isGone(node))) continue;
      const sessions = await this.bus.getFields(`${HOMED_PREFIX}${node}`);
      if (sessions.size > 0) found.push({ node, sessions });
      else await this.bus.deleteField(DIRECTORY_KEY, node);
    }
    return found;
  }

  /** No heartbeat, and its sessions' resume grace is over (`sp:held` after a death, `sp:grace` after a clean stop). */
  async isGone(node: string): Promise<boolean> {
    if (node === this.nodeId) return false;
    const [alive, held, grace] = await Promise.all([this.bus.getValue(`sp:alive:${node}`), this.bus.getValue(`${HELD_PREFIX}${node}`), this.bus.getValue(`${GRACE_PREFIX}${node}`)]);
    return alive === null && held === null && grace === null;
  }

  /** `sid` is no longer `node`'s to end: it ended, or moved to another home. */
  dropHomed(node: string, sid: string): void {
    if (node === this.nodeId) this.homed.delete(sid);
    this.bus.deleteField(`${HOMED_PREFIX}${node}`, sid).catch((err: unknown) => this.log.warn({ err, sessionId: sid }, 'could not update the sessions index'));
  }

  /** The session left this node for another home while this node lives: no longer listed, counted or indexed here. */
  movedAway(sid: string): void {
    this.state.removeField('live', sid);
    if (this.homed.has(sid)) this.dropHomed(this.nodeId, sid);
  }

  private async refreshHomed(): Promise<void> {
    if (this.homed.size === 0) return;
    const key = `${HOMED_PREFIX}${this.nodeId}`;
    if (await this.bus.touch(key, SESSION_TTL_MS)) return;
    await Promise.all([...this.homed].map(([sid, tenant]) => this.bus.setField(key, sid, tenant, SESSION_TTL_MS)));
  }

  /** Writes are chained per session so the last one wins. */
  saveSession(sid: string, record: SessionRecord): void {
    if (record.home === this.nodeId && !this.homed.has(sid) && !this.stopped) {
      this.homed.set(sid, record.tenantId);
      this.bus.setField(`${HOMED_PREFIX}${this.nodeId}`, sid, record.tenantId, SESSION_TTL_MS).catch((err: unknown) => this.log.warn({ err, sessionId: sid }, 'could not update the sessions index'));
    }
    const previous = this.writes.get(sid) ?? Promise.resolve();
    const next = previous
      .then(() => this.bus.setValue(`sp:session:${sid}`, JSON.stringify(record), SESSION_TTL_MS))
      .catch((err: unknown) => this.log.error({ err, sessionId: sid }, 'could not save the session record'));
    this.writes.set(sid, next);
    void next.then(() => {
      if (this.writes.get(sid) === next) this.writes.delete(sid);
    });
  }

  async loadSession(sid: string): Promise<SessionRecord | null> {
    const raw = await this.bus.getValue(`sp:session:${sid}`);
    return raw ? (JSON.parse(raw) as SessionRecord) : null;
  }

  endSession(sid: string): void {
    this.state.removeField('live', sid);
    if (this.homed.has(sid)) this.dropHomed(this.nodeId, sid);
    const previous = this.writes.get(sid) ?? Promise.resolve();
    void previous.then(() => this.bus.deleteValue(`sp:session:${sid}`)).catch(() => undefined);
  }

  /** A session of the gone node `node` was ended by this node (relay/home-lost.ts): its record, its row held in the live list and its index entry go. */
  endLostSession(node: string, tenantId: string, sid: string): void {
    this.state.dropFrom('live', tenantId, node, sid);
    this.dropHomed(node, sid);
    void this.bus.deleteValue(`sp:session:${sid}`).catch(() => undefined);
  }

  /**
   * A clean stop: the places go back at once (`sp:held` and the shares are deleted). The sessions
   * this node is home to stay indexed, with `sp:grace` for their customers to resume elsewhere;
   * those not resumed when it expires are ended by another node (relay/home-lost.ts).
   */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.stopped = true;
    this.requests.cancelAll();
    const keepListed = this.homed.size > 0;
    await Promise.all([
      this.bus.deleteValue(`sp:alive:${this.nodeId}`),
      this.bus.deleteValue(`${HELD_PREFIX}${this.nodeId}`),
      keepListed ? this.bus.setValue(`${GRACE_PREFIX}${this.nodeId}`, String(Date.now()), this.holdMs) : Promise.resolve(),
      keepListed ? Promise.resolve() : this.bus.deleteField(DIRECTORY_KEY, this.nodeId),
      this.state.clear(),
    ]).catch(() => undefined);
  }
}
