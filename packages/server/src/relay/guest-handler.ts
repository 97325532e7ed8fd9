import type { Logger } from 'pino';
import type { ClientMessage, ClientMessageOf } from '@samepage/protocol';
import { newId } from '../ids.ts';
import { isCollabMessage } from './collab-router.ts';
import type { LiveSession, Member } from './live-session.ts';
import type { Peer } from './peer.ts';
import type { MessageHandler, Relay } from './relay.ts';

/** A friend the customer invited with a link: sees the tab and the chat, and can chat. Nothing else. */
export class GuestHandler implements MessageHandler {
  private session: LiveSession | null = null;
  private member: Member | null = null;

  constructor(
    private readonly relay: Relay,
    private readonly peer: Peer,
    private readonly log: Logger,
  ) {}

  start(hello: ClientMessageOf<'guest_hello'>): void {
    const link = this.relay.guestInvites.redeem(hello.token);
    const session = link ? this.relay.sessions.get(link.sessionId) : undefined;
    if (!link || !session || session.ended) return this.peer.fail('not_found', 'This link has expired or the session has ended.');
    const participant = { id: newId('par'), name: hello.name?.trim() || 'Guest', role: 'guest' as const, color: session.nextColor(), title: 'Guest' };
    const member: Member = { participant, peer: this.peer, userId: null, roleKey: 'guest', permissions: new Set() };
    this.session = session;
    this.member = member;
    session.members.set(participant.id, member);
    this.peer.sendMessage({ type: 'welcome', v: 1, connId: this.peer.connId, guest: { sessionId: session.id, participantId: participant.id } });
    this.peer.sendMessage(session.joinedMessage(participant.id, true));
    this.peer.watchFlow(this.relay.viewerFlow(session, this.peer));
    this.peer.sendSnapshot(session.cache.snapshot());
    session.toEveryone({ type: 'participant_joined', participant }, participant.id);
    this.log.info({ sessionId: session.id }, 'guest joined');
    this.relay.deps.store
      .recordParticipantJoin({ id: participant.id, tenantId: session.tenantId, sessionId: session.id, userId: null, name: participant.name, role: 'guest' })
      .catch((err: unknown) => this.log.error({ err }, 'could not record guest'));
    this.relay.events.emit(session.tenantId, 'participant.joined', { sessionId: session.id, participant: { id: participant.id, name: participant.name, role: participant.role, userId: null }, via: 'guest_invite' });
  }

  onMessage(message: ClientMessage): void {
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
    const session = this.session;
    const member = this.member;
    if (!session || !member) return;
    this.peer.stopFlow();
    session.members.delete(member.participant.id);
    if (!session.ended) {
      // A customer in a shared browser may hold control or wait for it (shared-control.ts).
      const controlChange = session.control.left(member.participant.id);
      session.toEveryone({ type: 'participant_left', participantId: member.participant.id, reason: 'left' });
      if (controlChange) session.announceControl(controlChange.reason);
    }
    this.relay.deps.store.recordParticipantLeave(session.tenantId, member.participant.id).catch(() => undefined);
  }
}
