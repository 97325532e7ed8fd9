import type { ClientMessage, Permission } from '@samepage/protocol';
import { isNavigation } from '@samepage/protocol';
import type { AuditActor } from '../store.ts';
import { HOST_PARTICIPANT_ID, type LiveSession, type Member } from './live-session.ts';
import type { Peer } from './peer.ts';
import type { Relay } from './relay.ts';
import { routeSharedBrowser } from '../shared-browser/shared-control.ts';

/** Who sent a collaboration message: the customer's tab, or a member (agent or guest). */
export type Sender = { kind: 'host'; peer: Peer } | { kind: 'member'; member: Member };

type CollabType =
  | 'control_request'
  | 'control_release'
  | 'control_grant'
  | 'control_deny'
  | 'control_revoke'
  | 'control_action'
  | 'control_result'
  | 'chat_send'
  | 'chat_typing'
  | 'chat_sync'
  | 'draw'
  | 'pointer'
  | 'invite_create'
  | 'guest_invite_create';
export type CollabMessage = Extract<ClientMessage, { type: CollabType }>;

const COLLAB_TYPES = new Set<string>([
  'control_request',
  'control_release',
  'control_grant',
  'control_deny',
  'control_revoke',
  'control_action',
  'control_result',
  'chat_send',
  'chat_typing',
  'chat_sync',
  'draw',
  'pointer',
  'invite_create',
  'guest_invite_create',
]);

/** Messages that carry what E2EE protects; in an encrypted session they travel as encrypted frames (chat, ctl, ctl_result). */
const PLAINTEXT_IN_E2EE = new Set<string>(['chat_send', 'control_action', 'control_result']);

export function isCollabMessage(message: ClientMessage): message is CollabMessage {
  return COLLAB_TYPES.has(message.type);
}

/**
 * Routes a collaboration message inside a session, after checking the sender's role,
 * permissions, the customer's consent and the site's policy. The SDK checks again.
 */
export class CollabRouter {
  constructor(private readonly relay: Relay) {}

  handle(session: LiveSession, sender: Sender, message: CollabMessage): void {
    // A shared browser's host is a page, not a person: its control rules are its own.
    if (session.sharedBrowser && routeSharedBrowser(this.relay, session, sender, message)) return;
    const peer = sender.kind === 'host' ? sender.peer : sender.member.peer;
    const pid = sender.kind === 'host' ? HOST_PARTICIPANT_ID : sender.member.participant.id;
    const isAgent = sender.kind === 'member' && sender.member.participant.role === 'agent';
    const can = (permission: Permission) => sender.kind === 'member' && sender.member.permissions.has(permission);
    const hostOnly = () => {
      if (sender.kind === 'host') return true;
      peer.fail('permission_denied', `Only the customer may send ${message.type}.`);
      return false;
    };
    const need = (permission: Permission) => {
      if (isAgent && can(permission)) return true;
      peer.fail('permission_denied', `Your role does not allow this (${permission}).`);
      return false;
    };
    if (session.e2ee && PLAINTEXT_IN_E2EE.has(message.type)) {
      return peer.fail('e2ee_plaintext_refused', `This session is end-to-end encrypted: ${message.type} must be sent as an encrypted frame.`);
    }
    const actor: AuditActor = sender.kind === 'host' ? { type: 'customer', id: null } : { type: 'user', id: sender.member.userId };
    const audit = (action: string, detail: Record<string, unknown> = {}) =>
      this.relay.deps.store.audit(session.tenantId, actor, action, session.id, detail).catch((err: unknown) => session.log.error({ err }, 'could not audit'));

    switch (message.type) {
      case 'control_request': {
        if (!need('session.control')) return;
        const member = sender.kind === 'member' ? sender.member : null;
        const roles = session.controlRoles;
        if (member && roles.length > 0 && !roles.includes(member.roleKey)) return peer.fail('permission_denied', 'This site does not let your role request control.');
        const change = session.control.request(pid);
        if (!change.ok) return peer.fail('conflict', change.reason);
        session.host?.sendMessage({ type: 'control_requested', participantId: pid, name: session.participantName(pid) });
        session.announceControl('requested');
        void audit('control.requested');
        return;
      }
      case 'control_release': {
        const change = session.control.release(pid);
        if (!change.ok) return peer.fail('conflict', change.reason);
        session.announceControl(change.reason);
        void audit('control.released');
        return;
      }
      case 'control_grant':
      case 'control_deny': {
        if (!hostOnly()) return;
        const change = message.type === 'control_grant' ? session.control.grant(message.participantId) : session.control.deny(message.participantId);
        if (!change.ok) return peer.fail('conflict', change.reason);
        session.announceControl(change.reason);
        void audit(message.type === 'control_grant' ? 'control.granted' : 'control.denied', { participantId: message.participantId });
        if (message.type === 'control_grant') {
          this.relay.events.emit(session.tenantId, 'control.granted', { sessionId: session.id, participant: { id: message.participantId, name: session.participantName(message.participantId) } });
        }
        return;
      }
      case 'control_revoke': {
        if (!hostOnly()) return;
        const had = session.control.controllerId;
        session.control.revoke();
        session.announceControl('revoked');
        void audit('control.revoked', { participantId: had });
        return;
      }
      case 'control_action': {
        const refuse = (failure: 'not_controller' | 'no_permission', text: string) =>
          peer.sendMessage({ type: 'control_result', actionId: message.actionId, ok: false, failure, message: text });
        if (!isAgent || !can('session.control')) return refuse('no_permission', 'Your role does not allow control.');
        if (!session.control.isController(pid)) return refuse('not_controller', 'The customer has not given you control.');
        if (isNavigation(message.action)) {
          if (!can('session.navigate')) return refuse('no_permission', 'Your role does not allow navigation.');
          if (!session.policy.allowNavigation) return refuse('no_permission', 'This site does not allow agents to navigate.');
          void audit('control.navigate', { to: message.action.to, url: message.action.url ?? null });
        }
        if (!session.host) return refuse('not_controller', 'The customer is not connected right now.');
        session.host.sendMessage({ type: 'control_action', participantId: pid, actionId: message.actionId, action: message.action });
        return;
      }
      case 'control_result': {
        if (!hostOnly()) return;
        const target = session.members.get(message.participantId);
        target?.peer.sendMessage({ type: 'control_result', actionId: message.actionId, ok: message.ok, failure: message.failure, message: message.message });
        return;
      }
      case 'chat_send': {
        if (sender.kind === 'member' && isAgent && !can('session.chat')) return peer.fail('permission_denied', 'Your role does not allow chat.');
        const from = { participantId: pid, name: session.participantName(pid), role: sender.kind === 'host' ? ('host' as const) : sender.member.participant.role };
        const { message: chat, duplicate } = session.chat.append(from, message.clientId, message.text);
        if (duplicate) return peer.sendMessage({ type: 'chat_message', message: chat });
        // Stored before it is shown, in seq order, so a node failure loses no message anyone saw.
        session.chatWrites = session.chatWrites
          .then(() => this.relay.deps.collab.appendChat(session.tenantId, session.id, chat))
          .catch((err: unknown) => session.log.error({ err }, 'could not store chat message'))
          .then(() => {
            session.toEveryone({ type: 'chat_message', message: chat });
            this.relay.events.emit(session.tenantId, 'message.created', { sessionId: session.id, message: { id: chat.id, seq: chat.seq, from: chat.from, text: chat.text, at: chat.at } });
          });
        return;
      }
      case 'chat_typing':
        session.toEveryone({ type: 'chat_typing', participantId: pid, typing: message.typing }, pid);
        return;
      case 'chat_sync':
        peer.sendMessage({ type: 'chat_history', messages: session.e2ee ? [] : session.chat.after(message.afterSeq) });
        return;
      case 'draw': {
        if (!need('session.draw')) return;
        const color = sender.kind === 'member' ? sender.member.participant.color : '#16a34a';
        session.toEveryone({ type: 'draw', participantId: pid, color, op: message.op }, pid);
        return;
      }
      case 'pointer':
        if (!isAgent || !can('session.point')) return peer.fail('permission_denied', 'Your role does not allow pointing.');
        session.toEveryone({ type: 'agent_pointer', participantId: pid, x: message.x, y: message.y }, pid);
        return;
      case 'invite_create': {
        if (!need('session.invite')) return;
        this.relay.codes.issue(session.id, session.tenantId).then(
          ({ code, expiresAt }) => {
            peer.sendMessage({ type: 'invite_created', code, expiresAt });
            void audit('session.invite_created');
          },
          (err: unknown) => {
            session.log.error({ err }, 'could not issue an invite code');
            peer.fail('database_unavailable');
          },
        );
        return;
      }
      case 'guest_invite_create': {
        if (!hostOnly()) return;
        if (!session.policy.allowGuests) return peer.fail('permission_denied', 'Inviting a friend is not allowed on this site.');
        if (session.e2ee) return peer.fail('e2ee_feature_off', 'Inviting a friend is off in end-to-end encrypted sessions.');
        const invite = this.relay.guestInvites.issue(session.id, session.tenantId);
        peer.sendMessage({ type: 'guest_invite_created', url: `${peer.serverOrigin}/console/watch/${invite.token}`, expiresAt: invite.expiresAt });
        void audit('session.guest_invite_created');
        return;
      }
      default:
        return assertNeverMessage(message);
    }
  }
}

function assertNeverMessage(value: never): never {
  throw new Error(`unhandled collaboration message: ${JSON.stringify(value)}`);
}
