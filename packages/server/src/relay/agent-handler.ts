import type { Logger } from 'pino';
import { SESSION_CODE_PATTERN, normalizeSessionCode, type ClientMessage } from '@samepage/protocol';
import { newId } from '../ids.ts';
import type { UserRecord } from '../store.ts';
import type { LiveSession, Viewer } from './live-session.ts';
import type { Peer } from './peer.ts';
import type { MessageHandler, Relay } from './relay.ts';
import { assertNever, hostStatus } from './session-state.ts';

/** An agent's console: authenticated by its login cookie; views at most one session at a time. */
export class AgentHandler implements MessageHandler {
  private session: LiveSession | null = null;
  private viewer: Viewer | null = null;

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    private readonly user: UserRecord,
    private log: Logger,
  ) {}

  start(): void {
    this.peer.sendMessage({ type: 'welcome', v: 1, connId: this.peer.connId, user: { id: this.user.id, name: this.user.name } });
  }

  onMessage(message: ClientMessage): void {
    switch (message.type) {
      case 'join':
        return this.join(message.code);
      case 'leave':
        return this.leave('left');
      case 'pointer':
        if (!this.session || !this.viewer) return this.peer.fail('unexpected_message', 'Join a session first.');
        this.session.host?.sendMessage({ type: 'agent_pointer', participantId: this.viewer.participant.id, x: message.x, y: message.y });
        return;
      case 'keyframe_request':
        return this.resync();
      case 'host_hello':
      case 'agent_hello':
      case 'session_start':
      case 'session_end':
      case 'host_unload':
      case 'host_visibility':
        return this.peer.fail('unexpected_message', `An agent may not send ${message.type}.`);
      default:
        return assertNever(message);
    }
  }

  onBinary(): void {
    this.peer.fail('unexpected_message', 'Agents do not send DOM frames.');
  }

  onClose(): void {
    this.leave('disconnected');
  }

  private join(rawCode: string): void {
    const limiterKey = `${this.user.tenantId}:${this.peer.ip}`;
    if (this.relay.joinLimiter.isBlocked(limiterKey)) return this.peer.fail('rate_limited');
    const code = normalizeSessionCode(rawCode);
    if (!SESSION_CODE_PATTERN.test(code)) return this.peer.fail('code_invalid');
    const found = this.relay.codes.redeem(code, this.user.tenantId);
    if (!found.ok) {
      this.relay.joinLimiter.hit(limiterKey);
      this.log.info({ result: found.code }, 'join refused');
      return this.peer.fail(found.code);
    }
    const session = this.relay.sessions.get(found.sessionId);
    if (!session || session.ended) return this.peer.fail('session_ended');
    if (this.session) this.leave('switched');
    this.attach(session);
  }

  private attach(session: LiveSession): void {
    const participant = { id: newId('par'), name: this.user.name, role: 'agent' as const, color: session.nextColor() };
    const viewer: Viewer = { participant, peer: this.peer, userId: this.user.id };
    session.viewers.set(participant.id, viewer);
    session.apply({ type: 'agent_joined' });
    this.session = session;
    this.viewer = viewer;
    this.log = this.log.child({ sessionId: session.id });
    this.peer.sendMessage({
      type: 'joined',
      sessionId: session.id,
      participantId: participant.id,
      hostStatus: hostStatus(session.state),
      page: session.page,
      participants: session.participants(),
    });
    for (const frame of session.cache.snapshot()) this.peer.sendFrame(frame);
    session.broadcastToViewers({ type: 'participant_joined', participant }, participant.id);
    session.host?.sendMessage({ type: 'participant_joined', participant });
    this.log.info('agent joined');
    const { store } = this.relay.deps;
    const onError = (err: unknown) => this.log.error({ err }, 'could not record join');
    store.recordParticipantJoin({ id: participant.id, tenantId: session.tenantId, sessionId: session.id, userId: this.user.id, name: this.user.name, role: 'agent' }).catch(onError);
    store.audit(session.tenantId, { type: 'user', id: this.user.id }, 'session.join', session.id, { participantId: participant.id }).catch(onError);
  }

  /** Sends the cached keyframe and deltas again; asks the host only when there is none. */
  private resync(): void {
    const session = this.session;
    if (!session) return this.peer.fail('unexpected_message', 'Join a session first.');
    const frames = session.cache.snapshot();
    if (frames.length === 0) {
      session.host?.sendMessage({ type: 'keyframe_needed', reason: 'viewer_resync' });
      return;
    }
    for (const frame of frames) this.peer.sendFrame(frame);
  }

  private leave(reason: string): void {
    const session = this.session;
    const viewer = this.viewer;
    if (!session || !viewer) return;
    this.session = null;
    this.viewer = null;
    session.viewers.delete(viewer.participant.id);
    if (session.ended) return;
    session.apply({ type: 'agent_left' });
    const message = { type: 'participant_left' as const, participantId: viewer.participant.id, reason };
    session.broadcastToViewers(message);
    session.host?.sendMessage(message);
    const { store } = this.relay.deps;
    const onError = (err: unknown) => this.log.error({ err }, 'could not record leave');
    store.recordParticipantLeave(session.tenantId, viewer.participant.id).catch(onError);
    store.audit(session.tenantId, { type: 'user', id: this.user.id }, 'session.leave', session.id, { reason }).catch(onError);
  }
}
