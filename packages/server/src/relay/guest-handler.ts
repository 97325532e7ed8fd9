import type { Logger } from 'pino';
import type { ClientMessage, ClientMessageOf, Participant } from '@samepage/protocol';
import { newId } from '../ids.ts';
import { isCollabMessage } from './collab-router.ts';
import type { LiveSession, Member } from './live-session.ts';
import type { Peer } from './peer.ts';
import type { MessageHandler, Relay } from './relay.ts';
import { SessionLink } from './session-link.ts';

const LINK_GONE = 'This link has expired or the session has ended.';

/**
 * A friend the customer invited with a link: sees the tab and the chat, and can chat. Nothing else.
 * The link opens on any node: when the session's home is another node, this node only keeps a
 * SessionLink and the home runs this same handler for the guest (cluster-router.ts).
 */
export class GuestHandler implements MessageHandler {
  private session: LiveSession | null = null;
  private member: Member | null = null;
  /** Set instead of `session` when the session's home is another node. */
  private link: SessionLink | null = null;
  /** Messages that arrive while the link is being looked up. */
  private pending: ClientMessage[] | null = [];

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    private readonly log: Logger,
  ) {}

  start(hello: ClientMessageOf<'guest_hello'>): void {
    const name = hello.name?.trim() || 'Guest';
    this.open(hello.token, name)
      .catch((err: unknown) => {
        this.log.error({ err }, 'guest hello failed');
        this.peer.fail('database_unavailable');
      })
      .finally(() => {
        const queued = this.pending ?? [];
        this.pending = null;
        for (const m of queued) this.onMessage(m);
      });
  }

  /** The session is here: join it. It lives on another node: link to its home, which joins us there. */
  private async open(token: string, name: string): Promise<void> {
    const found = await this.relay.guestInvites.redeem(token);
    if (this.peer.closed) return;
    const local = found ? this.relay.sessions.get(found.sessionId) : undefined;
    if (found && local) return local.ended || local.tenantId !== found.tenantId ? this.peer.fail('not_found', LINK_GONE) : this.join(local, name);
    const record = found ? await this.relay.cluster.loadSession(found.sessionId) : null;
    if (!found || !record || record.tenantId !== found.tenantId || this.peer.closed) return this.peer.fail('not_found', LINK_GONE);
    const link = new SessionLink(this.relay, this.peer, null, found.sessionId, record.home, () => {
      if (this.link === link) this.link = null;
    });
    link.guest = { name, tenantId: found.tenantId };
    this.link = link;
    link.open('guest_invite');
  }

  get sessionId(): string | null {
    return this.session?.id ?? this.link?.sessionId ?? null;
  }

  /**
   * Joins the session on its home. `keep`: the same guest, re-attached after the session moved
   * to this node, so no welcome and nothing recorded again.
   */
  join(session: LiveSession, name: string, keep?: Participant): void {
    const queued = this.pending ?? [];
    this.pending = null;
    const participant = keep ?? { id: newId('par'), name, role: 'guest' as const, color: session.nextColor(), title: 'Guest' };
    const member: Member = { participant, peer: this.peer, userId: null, roleKey: 'guest', permissions: new Set() };
    this.session = session;
    this.member = member;
    session.members.set(participant.id, member);
    if (!keep) this.peer.sendMessage({ type: 'welcome', v: 1, connId: this.peer.connId, guest: { sessionId: session.id, participantId: participant.id } });
    this.peer.sendMessage(session.joinedMessage(participant.id, true));
    this.peer.watchFlow(this.relay.viewerFlow(session, this.peer));
    this.peer.sendSnapshot(session.cache.snapshot());
    session.toEveryone({ type: 'participant_joined', participant }, participant.id);
    this.relay.clusterRouter.save(session);
    if (this.peer.remoteNode) this.relay.cluster.send(this.peer.remoteNode, { t: 'linked', conn: this.peer.connId, sid: session.id, participant });
    this.log.info({ sessionId: session.id, remote: this.peer.remoteNode !== null }, 'guest joined');
    if (!keep) {
      this.relay.deps.store
        .recordParticipantJoin({ id: participant.id, tenantId: session.tenantId, sessionId: session.id, userId: null, name: participant.name, role: 'guest' })
        .catch((err: unknown) => this.log.error({ err }, 'could not record guest'));
      this.relay.events.emit(session.tenantId, 'participant.joined', { sessionId: session.id, participant: { id: participant.id, name: participant.name, role: participant.role, userId: null }, via: 'guest_invite' });
    }
    for (const m of queued) this.onMessage(m);
  }

  /** The session moved to another node: leave it here without telling anyone. */
  detach(): void {
    this.peer.stopFlow();
    if (this.session && this.member) this.session.members.delete(this.member.participant.id);
    this.session = null;
    this.member = null;
  }

  onMessage(message: ClientMessage): void {
    if (this.pending) {
      if (this.pending.length >= 16) return this.peer.fail('unexpected_message', 'Too many messages before the hello was answered.');
      this.pending.push(message);
      return;
    }
    // The home runs every check below for a guest linked to it.
    if (this.link) return this.link.forward(message);
    const session = this.session;
    const member = this.member;
    if (!session || !member) return this.peer.fail('unexpected_message', 'Not in a session.');
    if (message.type === 'chat_send' || message.type === 'chat_typing' || message.type === 'chat_sync') {
      this.relay.collab.handle(session, { kind: 'member', member }, message);
      return;
    }
    if (message.type === 'keyframe_request') {
      this.peer.sendSnapshot(session.cache.snapshot());
      return;
    }
    if (message.type === 'leave') return this.peer.close(1000, 'left');
    // In a shared browser the guest is the customer, who may ask for control and drive it (shared-control.ts).
    if (session.sharedBrowser && (message.type === 'control_request' || message.type === 'control_release' || message.type === 'control_action')) {
      this.relay.collab.handle(session, { kind: 'member', member }, message);
      return;
    }
    if (isCollabMessage(message)) return this.peer.fail('permission_denied', 'Guests can watch and chat only.');
    this.peer.fail('unexpected_message', `A guest may not send ${message.type}.`);
  }

  onBinary(): void {
    this.peer.fail('unexpected_message', 'Guests do not send DOM frames.');
  }

  onClose(): void {
    this.link?.disconnected();
    const session = this.session;
    const member = this.member;
    if (!session || !member) return;
    this.session = null;
    this.member = null;
    this.peer.stopFlow();
    session.members.delete(member.participant.id);
    if (!session.ended) {
      // A customer in a shared browser may hold control or wait for it (shared-control.ts).
      const controlChange = session.control.left(member.participant.id);
      session.toEveryone({ type: 'participant_left', participantId: member.participant.id, reason: 'left' });
      if (controlChange) session.announceControl(controlChange.reason);
      this.relay.clusterRouter.save(session);
    }
    this.relay.deps.store.recordParticipantLeave(session.tenantId, member.participant.id).catch(() => undefined);
  }
}
