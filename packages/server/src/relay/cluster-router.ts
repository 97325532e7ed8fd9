import type { ClientMessageOf, EndedBy, LiveSessionSummary, Participant } from '@samepage/protocol';
import { safeEqual, sha256 } from '../ids.ts';
import type { SiteRecord } from '../store.ts';
import type { Envelope, SessionRecord } from '../cluster/cluster.ts';
import { AgentHandler } from './agent-handler.ts';
import { ChatLog } from './chat-log.ts';
import { GuestHandler } from './guest-handler.ts';
import { LiveSession } from './live-session.ts';
import { Peer } from './peer.ts';
import type { MessageHandler, Relay } from './relay.ts';
import type { SessionLink } from './session-link.ts';
import { answerQuestion } from './session-actions.ts';
import { HomeLostSessions } from './home-lost.ts';
import { checkAfterStall } from './stalled-home.ts';

type Resume = NonNullable<ClientMessageOf<'host_hello'>['resume']>;

/** A resume refused because the session had no place of the capacity plan left (takeOver). */
export const NO_PLACE = 'capacity_reached';

/** On a session's home: the stand-in for a console or a guest whose socket is on another node. */
type Mirror = MessageHandler & { readonly sessionId: string | null; detach(): void };

/** A live session as the supervisors' list shows it (GET /api/sessions/live), from any node. */
function summarize(session: LiveSession): LiveSessionSummary {
  return {
    id: session.id,
    siteId: session.siteId,
    startedAt: session.startedAt,
    page: session.page,
    visitor: session.visitor ?? null,
    participants: session.participants().map((p) => ({ name: p.name, role: p.role, title: p.title ?? null })),
    reconnecting: !session.state.hostConnected && session.state.awayReason === 'reconnecting',
  };
}

/**
 * The relay's side of the cluster. On a session's home node it keeps a mirror AgentHandler for
 * each console on another node, fed by that node's messages: the same handler and the same
 * checks as a local console. On a console's node it keeps the links. It also moves a session to
 * this node when the customer resumes here and the old home is gone (or still holds it).
 */
export class ClusterRouter {
  /** On the home node: consoles and guests on other nodes, by `node/conn`. */
  private readonly mirrors = new Map<string, Mirror>();
  /** On a console's node: consoles whose session lives on another node, by conn. */
  readonly links = new Map<string, SessionLink>();
  private watchdog: NodeJS.Timeout | null = null;
  /** Ends the sessions of a node that is gone once their customers can no longer resume them. */
  readonly homeLost: HomeLostSessions;

  constructor(private readonly relay: Relay) {
    this.homeLost = new HomeLostSessions(relay);
    relay.cluster.stallCheck = (sids) => checkAfterStall(relay, sids);
  }

  start(): Promise<void> {
    this.watchdog = setInterval(() => void this.watchHomes(), 1000);
    this.watchdog.unref();
    this.homeLost.start();
    return this.relay.cluster.start({
      onEnvelope: (e) => this.onEnvelope(e),
      onFrames: (conns, frame) => this.onFrames(conns, frame),
      onSnapshot: (conn, frames) => this.links.get(conn)?.snapshot(frames),
      onUpFrame: (node, conn, frame) => this.mirrors.get(`${node}/${conn}`)?.onBinary(frame),
    });
  }

  stop(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.homeLost.stop();
  }

  private onEnvelope(e: Envelope): void {
    switch (e.t) {
      case 'attach':
        return this.attachMirror(e);
      case 'msg': {
        const key = `${e.node}/${e.conn}`;
        const mirror = this.mirrors.get(key);
        mirror?.onMessage(e.m);
        // A viewer that fell behind asks for the cache once it has caught up: the cache went out
        // just now (or the customer was asked for a keyframe), so the live frames follow it.
        if (e.m.type === 'keyframe_request') this.relay.cluster.setPaused(e.node, e.conn, false);
        if (e.m.type !== 'leave') return;
        // Its socket stays open on its node, but it is gone from the session (a guest's leave closes it).
        this.mirrors.delete(key);
        mirror?.onClose();
        this.relay.cluster.setPaused(e.node, e.conn, false);
        return;
      }
      case 'close':
        this.mirrors.get(`${e.node}/${e.conn}`)?.onClose();
        this.mirrors.delete(`${e.node}/${e.conn}`);
        this.relay.cluster.setPaused(e.node, e.conn, false);
        return;
      case 'behind':
        if (this.mirrors.has(`${e.node}/${e.conn}`)) this.relay.cluster.setPaused(e.node, e.conn, true);
        return;
      case 'cobrowse_ask':
      case 'cobrowse_answered':
      case 'cobrowse_session':
      case 'visitor_update':
        return this.relay.visitors.onEnvelope(e);
      case 'disconnect_user':
        return this.relay.disconnectLocalUser(e.userId, e.reason);
      case 'send':
        return this.links.get(e.conn)?.deliver(e.m);
      case 'linked': {
        const link = this.links.get(e.conn);
        if (link && link.sessionId === e.sid) link.participant = e.participant;
        return;
      }
      case 'end':
        return this.links.get(e.conn)?.end(e.code, e.reason);
      case 'rehome':
        return this.rehome(e.sid, e.home);
      case 'ask':
        return this.relay.cluster.send(e.from, { t: 'answer', id: e.id, answer: answerQuestion(this.relay, e.ask) });
    }
  }

  private onFrames(conns: string[], frame: Uint8Array): void {
    for (const conn of conns) this.links.get(conn)?.frame(frame);
  }

  private attachMirror(e: Extract<Envelope, { t: 'attach' }>): void {
    const key = `${e.node}/${e.conn}`;
    this.mirrors.get(key)?.onClose();
    const peer = new Peer(e.conn, this.relay.cluster.remoteSocket(e.node, e.conn), e.ip, null, e.origin, e.node);
    if (e.guest) return this.attachGuestMirror(key, peer, e.sid, e.guest, e.participant);
    const log = this.relay.deps.log.child({ connId: e.conn, node: e.node, userId: e.user.id, tenantId: e.user.tenantId });
    const mirror = new AgentHandler(this.relay, peer, { ...e.user, passwordHash: '' }, log);
    mirror.e2ee = e.e2ee === true;
    this.mirrors.set(key, mirror);
    mirror.startMirror(() => {
      const session = this.relay.sessions.get(e.sid);
      if (!session || session.ended || session.tenantId !== e.user.tenantId) {
        this.mirrors.delete(key);
        return peer.fail('session_ended');
      }
      mirror.attach(session, e.via, e.participant);
      if (e.via === 'failover') peer.sendMessage({ type: 'control_state', ...session.control.snapshot(), reason: 'reset' });
    });
  }

  /** A guest whose socket is on another node: the home runs the same GuestHandler, on a peer that is that socket. */
  private attachGuestMirror(key: string, peer: Peer, sid: string, guest: { name: string; tenantId: string }, keep?: Participant): void {
    const session = this.relay.sessions.get(sid);
    if (!session || session.ended || session.tenantId !== guest.tenantId) return peer.fail('not_found', 'This link has expired or the session has ended.');
    const mirror = new GuestHandler(this.relay, peer, this.relay.deps.log.child({ connId: peer.connId, node: peer.remoteNode }));
    this.mirrors.set(key, mirror);
    mirror.join(session, guest.name, keep);
  }

  /** What other nodes need to route to this session or take it over, and its row in the live sessions list. */
  save(session: LiveSession): void {
    if (session.ended) return;
    // Back from a stall: written once the session is found still this node's (stalled-home.ts).
    if (this.relay.cluster.holdBack(session.id, 'save', () => this.save(session))) return;
    this.relay.cluster.state.put('live', session.tenantId, session.id, JSON.stringify(summarize(session)));
    // Agents and guests: every node with one of them is told when the session moves.
    const members = [...session.members.values()]
      .map((m) => ({ node: m.peer.remoteNode ?? this.relay.cluster.nodeId, conn: m.peer.connId, participant: m.participant }));
    const record: SessionRecord = {
      home: this.relay.cluster.nodeId,
      tenantId: session.tenantId,
      siteId: session.siteId,
      tokenHash: sha256(session.resumeToken),
      policy: session.policy,
      controlRoles: session.controlRoles,
      visitor: session.visitor,
      page: session.page,
      startedAt: session.startedAt,
      formerAgents: [...session.formerAgents],
      members,
      presence: this.relay.visitors.presenceOf(session),
      ...(session.e2ee ? { e2eeNextMember: session.e2ee.next } : {}),
    };
    this.relay.cluster.saveSession(session.id, record);
  }

  /**
   * The customer resumed here a session that lives elsewhere (its node died, or a load balancer
   * sent the reconnect to another node). Builds it from its record and the stored chat, becomes
   * its home and tells every node of the session to re-attach here. Control starts empty.
   */
  async takeOver(resume: Resume, site: SiteRecord, host: Peer): Promise<LiveSession | typeof NO_PLACE | null> {
    const record = await this.relay.cluster.loadSession(resume.sessionId);
    if (!record || record.tenantId !== site.tenantId || !safeEqual(sha256(resume.token), record.tokenHash)) return null;
    const self = this.relay.cluster.nodeId;
    const homeAlive = record.home === self || (await this.relay.cluster.isAlive(record.home));
    // Its home is not alive: unless its grace is over (then it ends now), it is kept from being ended as lost while it moves here.
    if (!homeAlive && !(await this.homeLost.mayTakeOver(record, resume.sessionId))) return null;
    const history = await this.relay.deps.collab.listChat(site.tenantId, resume.sessionId);
    const raced = this.relay.sessions.get(resume.sessionId);
    if (raced) return raced;
    const { config, store, log } = this.relay.deps;
    const session = new LiveSession(resume.sessionId, record.tenantId, record.siteId, resume.token, host, config.maxSessionCacheBytes, record.policy, store, log.child({ sessionId: resume.sessionId }), (s) =>
      this.relay.forget(s),
    );
    session.state = { ...session.state, hostConnected: false, awayReason: 'reconnecting' };
    session.chat = new ChatLog(history);
    session.visitor = record.visitor;
    session.page = record.page;
    session.controlRoles = record.controlRoles;
    for (const id of record.formerAgents) session.formerAgents.add(id);
    if (!homeAlive && !(await this.keepPlace(session))) {
      await this.homeLost.endRefused(record, session.id, NO_PLACE);
      return NO_PLACE;
    }
    const racedPlace = this.relay.sessions.get(resume.sessionId);
    if (racedPlace) return racedPlace;
    session.holdEnd = (end) => this.relay.cluster.holdBack(session.id, 'end', end);
    this.relay.visitors.carryOver(session, record.presence ?? []);
    if (record.e2eeNextMember !== undefined) session.e2ee?.continueFrom(record.e2eeNextMember);
    this.relay.sessions.set(session.id, session);
    this.save(session);
    // Listed (and counted) here now: the row its dead home left, held for the resume, goes; and so does its entry in that home's index.
    this.relay.cluster.state.dropFrom('live', session.tenantId, record.home, session.id);
    if (record.home !== self) this.relay.cluster.dropHomed(record.home, session.id);
    for (const node of new Set([record.home, ...record.members.map((m) => m.node)])) {
      if (node === self) this.rehome(session.id, self);
      else this.relay.cluster.send(node, { t: 'rehome', sid: session.id, home: self });
    }
    session.log.info({ from: record.home }, 'session taken over');
    return session;
  }

  /**
   * A session whose old home is gone needs a place of a capacity plan here. It keeps the one its
   * row still holds (the old home died less than the hold ago: the count does not change), or
   * takes a free one (the old home stopped cleanly and gave its places back), in the same atomic
   * step as a new session. False when the plan is full.
   */
  private async keepPlace(session: LiveSession): Promise<boolean> {
    const plan = await this.relay.deps.tenants.getPlan(session.tenantId);
    if (plan.kind !== 'capacity') return true;
    return (await this.reserve(session, plan.limit)) !== null;
  }

  /**
   * This node stalled, and meanwhile another node ended `session` (stalled-home.ts): this node's
   * copy goes, its sockets here are told as everyone else was, and nothing is ended, recorded or
   * listed again. Consoles and guests on other nodes were told by the node that ended it.
   */
  closeEndedElsewhere(session: LiveSession, by: EndedBy, reason: string): void {
    const { relay } = this;
    relay.sessions.delete(session.id);
    for (const [key, mirror] of this.mirrors) if (mirror.sessionId === session.id) this.mirrors.delete(key), mirror.detach();
    session.endedElsewhere(by, reason);
    relay.cluster.movedAway(session.id);
    for (const visitorId of session.presenceIds) relay.visitors.update(visitorId, { inSession: false });
    relay.codes.revokeSession(session.id).catch((err: unknown) => session.log.warn({ err }, 'could not void codes'));
    relay.guestInvites.revokeSession(session.id);
  }

  /** The session moved to `home`: hand over a local copy, and re-point this node's links. */
  rehome(sid: string, home: string): void {
    const local = this.relay.sessions.get(sid);
    if (local && home !== this.relay.cluster.nodeId) {
      this.relay.sessions.delete(sid);
      this.relay.cluster.movedAway(sid);
      local.clearGrace();
      local.host?.close(4409, 'replaced');
      local.host = null;
      for (const [key, mirror] of this.mirrors) if (mirror.sessionId === sid) this.mirrors.delete(key), mirror.detach();
      for (const agent of this.relay.agents) if (agent.sessionId === sid) agent.moveTo(home);
      for (const member of local.members.values()) if (member.userId === null) member.peer.close(1012, 'session_moved');
    }
    for (const link of this.links.values()) if (link.sessionId === sid) link.moveTo(home);
  }

  /**
   * The tenant's live sessions on every node: this node's as they are now, the others' as last
   * saved, and those of a node that died as reconnecting until their customer resumes elsewhere or
   * the resume grace is over (Cluster.holdMs). Each session once, from the node that holds it now.
   */
  async listLive(tenantId: string): Promise<LiveSessionSummary[]> {
    const self = this.relay.cluster.nodeId;
    const local = [...this.relay.sessions.values()].filter((s) => s.tenantId === tenantId && !s.ended).map(summarize);
    const rows = await this.relay.cluster.state.readHeld('live', tenantId);
    const remote = rows
      .filter((row) => row.node !== self)
      .sort((a, b) => Number(a.down ?? false) - Number(b.down ?? false))
      .map((row) => ({ ...(JSON.parse(row.value) as LiveSessionSummary), ...(row.down ? { reconnecting: true } : {}) }));
    const seen = new Set(local.map((s) => s.id));
    return [...local, ...remote.filter((s) => !seen.has(s.id) && (seen.add(s.id), true))].sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Live sessions of the tenant on every node, those waiting for a resume after their node died included. */
  async countLive(tenantId: string): Promise<number> {
    return (await this.listLive(tenantId)).length;
  }

  /**
   * Takes one of the `limit` places of a capacity plan for a new session: its row in the
   * cluster-wide live list is its place, set only while the tenant has fewer than `limit` rows on
   * the nodes that are alive or still hold their sessions, in one atomic step on the bus.
   * Returns the number of live sessions with this one, or null when the plan is full. The place
   * is given back when the session ends (Cluster.endSession), its node stops, or its node dies
   * and its hold expires.
   */
  reserve(session: LiveSession, limit: number): Promise<number | null> {
    return this.relay.cluster.state.putIfFewer('live', session.tenantId, session.id, JSON.stringify(summarize(session)), limit);
  }

  /**
   * Consoles whose home node stopped beating are told the customer is reconnecting; mirrors of
   * consoles whose node stopped beating leave the session, as if their socket had closed.
   */
  private async watchHomes(): Promise<void> {
    for (const node of new Set([...this.mirrors.keys()].map((key) => key.split('/')[0] ?? ''))) {
      if (await this.relay.cluster.isAlive(node).catch(() => true)) continue;
      for (const [key, mirror] of this.mirrors) if (key.startsWith(`${node}/`)) this.mirrors.delete(key), mirror.onClose(), this.relay.cluster.setPaused(node, key.slice(node.length + 1), false);
    }
    const homes = new Set([...this.links.values()].filter((l) => !l.homeLost).map((l) => l.home));
    for (const home of homes) {
      if (await this.relay.cluster.isAlive(home).catch(() => true)) continue;
      for (const link of this.links.values()) {
        if (link.home !== home || link.homeLost) continue;
        link.homeLost = true;
        link.deliver(JSON.stringify({ type: 'host_status', status: 'reconnecting' }));
      }
    }
  }
}
