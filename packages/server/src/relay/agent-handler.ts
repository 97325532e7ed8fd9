import type { Logger } from 'pino';
import { SESSION_CODE_PATTERN, normalizeSessionCode, type ClientMessage, type Participant, type Permission } from '@samepage/protocol';
import { newId } from '../ids.ts';
import type { UserRecord } from '../store.ts';
import type { RoleInfo } from '../collab-store.ts';
import { isCollabMessage } from './collab-router.ts';
import type { LiveSession, Member } from './live-session.ts';
import type { Peer } from './peer.ts';
import { SessionLink } from './session-link.ts';
import type { MessageHandler, Relay } from './relay.ts';
import { assertNever } from './session-state.ts';
import { isE2eeFrame, routeE2eeFrame } from './e2ee-router.ts';

/** An agent's console: authenticated by its login cookie; in at most one session at a time. */
export class AgentHandler implements MessageHandler {
  private session: LiveSession | null = null;
  private member: Member | null = null;
  private role: RoleInfo | null = null;
  private pending: ClientMessage[] | null = [];
  private lastResyncAt = 0;
  /** Set instead of `session` when the session's home is another node. */
  private link: SessionLink | null = null;
  /** The console said in its hello that it speaks end-to-end encryption; only then may it join encrypted sessions. */
  e2ee = false;

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    readonly user: UserRecord,
    private log: Logger,
  ) {}

  start(): void {
    this.loadRole(() => {
      this.relay.agents.add(this);
      const role = this.role!;
      this.peer.sendMessage({ type: 'welcome', v: 1, connId: this.peer.connId, user: { id: this.user.id, name: this.user.name, role: role.title, permissions: role.permissions } });
    });
  }

  /**
   * On a session's home node, for a console on another node: loads the role, then `then`. Sends
   * no welcome (the console's own node did) and is not listed in `relay.agents`.
   */
  startMirror(then: () => void): void {
    this.loadRole(then);
  }

  /** Resolves the role, runs `ready`, then the messages that arrived meanwhile. */
  private loadRole(ready: () => void): void {
    this.relay.deps.collab
      .resolveRole(this.user.tenantId, this.user.role)
      .then((role) => {
        this.role = role;
        ready();
        const queued = this.pending ?? [];
        this.pending = null;
        for (const m of queued) this.onMessage(m);
      })
      .catch((err: unknown) => {
        this.log.error({ err }, 'could not load role');
        this.peer.fail('database_unavailable');
        this.peer.close(1013, 'database_unavailable');
      });
  }

  get sessionId(): string | null {
    return this.session?.id ?? this.link?.sessionId ?? null;
  }

  private can(permission: Permission): boolean {
    return this.role?.permissions.includes(permission) ?? false;
  }

  onMessage(message: ClientMessage): void {
    if (this.pending) {
      if (this.pending.length >= 16) return this.peer.fail('unexpected_message', 'Too many messages before the hello was answered.');
      this.pending.push(message);
      return;
    }
    if (this.link && (isCollabMessage(message) || message.type === 'keyframe_request')) return this.link.forward(message);
    if (this.link && message.type === 'leave') return this.link.leave();
    if (isCollabMessage(message)) {
      if (!this.session || !this.member) return this.peer.fail('unexpected_message', 'Join a session first.');
      this.relay.collab.handle(this.session, { kind: 'member', member: this.member }, message);
      return;
    }
    switch (message.type) {
      case 'join':
        return void this.join(message.code).catch((err: unknown) => this.refuse(err));
      case 'join_session':
        return void this.joinById(message.sessionId).catch((err: unknown) => this.refuse(err));
      case 'leave':
        return this.leave('left');
      case 'keyframe_request':
        return this.resync();
      case 'visitors_subscribe':
        if (!this.can('visitors.list')) return this.peer.fail('permission_denied', 'Your role does not allow listing visitors.');
        return this.relay.visitors.watch(this.peer, this.user.tenantId);
      case 'cobrowse_request':
        return this.requestCobrowse(message.visitorId);
      case 'host_hello':
      case 'agent_hello':
      case 'guest_hello':
      case 'visitor_hello':
      case 'visitor_update':
      case 'session_start':
      case 'session_end':
      case 'host_unload':
      case 'host_visibility':
      case 'host_page':
      case 'cobrowse_answer':
      case 'e2ee_recording_key':
        return this.peer.fail('unexpected_message', `An agent may not send ${message.type}.`);
      default:
        return assertNever(message);
    }
  }

  /** Agents send binary frames only in end-to-end encrypted sessions: chat, control, pairing (e2ee-router.ts). */
  onBinary(frame: Uint8Array): void {
    if (this.pending) return this.peer.fail('unexpected_message', 'Wait for the welcome before sending frames.');
    if (this.link) return this.link.forwardFrame(frame);
    const session = this.session;
    const member = this.member;
    if (session?.e2ee && member) {
      if (!isE2eeFrame(frame)) return this.peer.fail('e2ee_plaintext_refused', 'This session is end-to-end encrypted: agents send encrypted frames only.');
      return routeE2eeFrame(this.relay, session, { kind: 'member', member }, frame);
    }
    if (isE2eeFrame(frame)) return this.peer.fail('e2ee_not_enabled');
    this.peer.fail('unexpected_message', 'Agents do not send DOM frames.');
  }

  onClose(): void {
    this.link?.disconnected();
    this.leave('disconnected');
    this.relay.visitors.unwatch(this.peer);
    this.relay.agents.delete(this);
  }

  send(message: import('@samepage/protocol').ServerMessage): void {
    this.peer.sendMessage(message);
  }

  /** Cuts this agent's socket, e.g. when an admin disables the user. */
  disconnect(reason: 'forbidden' | 'unauthorized'): void {
    this.peer.fail(reason, reason === 'forbidden' ? 'Your account has been disabled.' : 'You have been logged out.');
  }

  private refuse(err: unknown): void {
    this.log.error({ err }, 'join failed');
    this.peer.fail('database_unavailable');
  }

  private async join(rawCode: string): Promise<void> {
    if (!this.can('session.view')) return this.peer.fail('permission_denied', 'Your role does not allow viewing sessions.');
    const limiterKey = `${this.user.tenantId}:${this.peer.ip}`;
    if (this.relay.joinLimiter.isBlocked(limiterKey)) return this.peer.fail('rate_limited');
    const code = normalizeSessionCode(rawCode);
    if (!SESSION_CODE_PATTERN.test(code)) return this.peer.fail('code_invalid');
    const found = await this.relay.codes.redeem(code, this.user.tenantId);
    if (!found.ok) {
      this.relay.joinLimiter.hit(limiterKey);
      this.log.info({ result: found.code }, 'join refused');
      return this.peer.fail(found.code);
    }
    const session = this.relay.sessions.get(found.sessionId);
    if (session && !session.ended) return this.attach(session, 'code');
    const record = session ? null : await this.relay.cluster.loadSession(found.sessionId);
    if (!record) return this.peer.fail('session_ended');
    this.linkTo(found.sessionId, record.home, 'code');
  }

  /** Supervisors join any session; any agent rejoins a session it was in (after a network drop). */
  private async joinById(sessionId: string): Promise<void> {
    const session = this.relay.sessions.get(sessionId);
    const record = session ? null : await this.relay.cluster.loadSession(sessionId);
    const tenantId = session?.tenantId ?? record?.tenantId;
    const former = session ? session.formerAgents.has(this.user.id) : (record?.formerAgents.includes(this.user.id) ?? false);
    const rejoin = tenantId === this.user.tenantId && former;
    if (!rejoin && !this.can('session.join_any')) return this.peer.fail('permission_denied', 'Your role does not allow joining any session.');
    if (tenantId !== this.user.tenantId || session?.ended) return this.peer.fail('session_not_found');
    if (session) return this.attach(session, rejoin ? 'rejoin' : 'supervise');
    if (record) this.linkTo(sessionId, record.home, rejoin ? 'rejoin' : 'supervise');
  }

  /** Joins a session whose home is another node, through a link. */
  private linkTo(sessionId: string, home: string, via: string, participant?: Participant): void {
    if (this.link?.sessionId === sessionId || this.peer.closed) return;
    this.leave('switched');
    this.link?.leave();
    const link = new SessionLink(this.relay, this.peer, this.user, sessionId, home, () => {
      if (this.link === link) this.link = null;
    });
    link.e2ee = this.e2ee;
    this.link = link;
    link.open(via, participant);
  }

  /** The session moved to another node: keep this console in it, with the same participant. */
  moveTo(home: string): void {
    const session = this.session;
    const member = this.member;
    if (!session || !member) return;
    this.detach();
    const link = new SessionLink(this.relay, this.peer, this.user, session.id, home, () => {
      if (this.link === link) this.link = null;
    });
    link.e2ee = this.e2ee;
    this.link = link;
    link.open('failover', member.participant);
  }

  /** Leaves the session without telling anyone (it moved to another node). */
  detach(): void {
    this.peer.stopFlow();
    if (this.session && this.member) this.session.members.delete(this.member.participant.id);
    this.session = null;
    this.member = null;
  }

  private requestCobrowse(visitorId: string): void {
    if (!this.can('visitors.list') || !this.can('session.view')) return this.peer.fail('permission_denied', 'Your role does not allow co-browse requests.');
    this.relay
      .companyName(this.user.tenantId)
      .then((company) =>
        // The visitor may be on any node, and the session it starts may live on any node.
        this.relay.visitors.request(visitorId, this.user.tenantId, this.peer, this.user.name, company, (sessionId, home) => {
          const session = this.relay.sessions.get(sessionId);
          if (this.peer.closed) return;
          if (session) this.attach(session, 'request');
          else if (home !== this.relay.cluster.nodeId) this.linkTo(sessionId, home, 'request');
        }),
      )
      .then((requestId) => {
        if (!requestId) this.peer.fail('not_found', 'That visitor has left.');
      })
      .catch(() => this.peer.fail('database_unavailable'));
  }

  /** Joins the session; called by code, by id (supervisors) or when a visitor accepted a request. */
  attach(session: LiveSession, via: string, keep?: Participant): void {
    if (this.session === session) return;
    if (this.session) this.leave('switched');
    this.link?.leave();
    const role = this.role;
    if (!role) return;
    if (session.e2ee && !this.e2ee) return this.peer.fail('e2ee_required', 'This session is end-to-end encrypted and this console does not support it; reload the console.');
    if (session.e2ee?.full) return this.peer.fail('e2ee_feature_off', 'This encrypted session has run out of member numbers.');
    const base = keep ?? { id: newId('par'), name: this.user.name, role: 'agent' as const, color: session.nextColor(), title: role.title };
    // Encrypted sessions: the agent's member number for the sender/to fields of its frames.
    const participant = session.e2ee ? { ...base, member: session.e2ee.assign(base.id, keep?.member) } : base;
    const member: Member = { participant, peer: this.peer, userId: this.user.id, roleKey: this.user.role, permissions: new Set(role.permissions) };
    session.members.set(participant.id, member);
    session.formerAgents.add(this.user.id);
    session.apply({ type: 'agent_joined' });
    this.session = session;
    this.member = member;
    this.log = this.log.child({ sessionId: session.id });
    this.peer.sendMessage(session.joinedMessage(participant.id, false));
    this.peer.watchFlow(this.relay.viewerFlow(session, this.peer));
    this.peer.sendSnapshot(session.cache.snapshot());
    session.toEveryone({ type: 'participant_joined', participant }, participant.id);
    this.relay.clusterRouter.save(session);
    if (this.peer.remoteNode) this.relay.cluster.send(this.peer.remoteNode, { t: 'linked', conn: this.peer.connId, sid: session.id, participant });
    this.log.info({ via }, 'agent joined');
    if (keep) return; // the same participant, moved with the session: already recorded
    const { store } = this.relay.deps;
    const onError = (err: unknown) => this.log.error({ err }, 'could not record join');
    store.recordParticipantJoin({ id: participant.id, tenantId: session.tenantId, sessionId: session.id, userId: this.user.id, name: this.user.name, role: 'agent' }).catch(onError);
    store.audit(session.tenantId, { type: 'user', id: this.user.id }, 'session.join', session.id, { participantId: participant.id, via }).catch(onError);
    this.relay.events.emit(session.tenantId, 'participant.joined', { sessionId: session.id, participant: { id: participant.id, name: participant.name, role: participant.role, userId: this.user.id }, via });
  }

  /**
   * Sends the cached keyframe and deltas again. Asks the host for a fresh keyframe when there is
   * none, or when the cache did not help this viewer the last time (a second request within 10 s).
   */
  private resync(): void {
    const session = this.session;
    if (!session) return this.peer.fail('unexpected_message', 'Join a session first.');
    const frames = session.cache.snapshot();
    const now = Date.now();
    const again = now - this.lastResyncAt < 10_000;
    this.lastResyncAt = now;
    if (frames.length === 0 || again) {
      session.host?.sendMessage({ type: 'keyframe_needed', reason: 'viewer_resync' });
      return;
    }
    this.peer.sendSnapshot(frames);
  }

  private leave(reason: string): void {
    const session = this.session;
    const member = this.member;
    if (!session || !member) return;
    this.session = null;
    this.member = null;
    this.peer.stopFlow();
    session.members.delete(member.participant.id);
    if (member.participant.member !== undefined) session.e2ee?.release(member.participant.member);
    if (session.ended) return;
    session.apply({ type: 'agent_left' });
    const controlChange = session.control.left(member.participant.id);
    session.toEveryone({ type: 'participant_left', participantId: member.participant.id, reason });
    if (controlChange) session.announceControl(controlChange.reason);
    this.relay.clusterRouter.save(session);
    const { store } = this.relay.deps;
    const onError = (err: unknown) => this.log.error({ err }, 'could not record leave');
    store.recordParticipantLeave(session.tenantId, member.participant.id).catch(onError);
    store.audit(session.tenantId, { type: 'user', id: this.user.id }, 'session.leave', session.id, { reason }).catch(onError);
  }
}
