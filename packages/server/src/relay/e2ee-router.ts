import { E2EE_CUSTOMER, E2EE_FRAME_KIND, E2EE_PAIRWISE_TYPES, type E2eeHeader, type Participant } from '@samepage/protocol';
import { HOST_PARTICIPANT_ID, type LiveSession, type Member } from './live-session.ts';
import { DOM_TYPES } from './e2ee-limits.ts';
import type { E2eeMembersView } from './e2ee-gate.ts';
import type { Peer } from './peer.ts';
import type { Relay } from './relay.ts';
import { createRecordingKeyStore } from '../recording-key-store.ts';

/** True when a binary frame claims to be end-to-end encrypted (its first byte); the gate checks the rest. */
export function isE2eeFrame(frame: Uint8Array): boolean {
  return frame.byteLength > 0 && frame[0] === E2EE_FRAME_KIND;
}

/** Who sent a frame: the customer's tab, or an agent of the session. */
export type E2eeSender = { kind: 'host'; peer: Peer } | { kind: 'member'; member: Member };

function membersView(session: LiveSession): E2eeMembersView {
  const e2ee = session.e2ee!;
  return {
    has: (n) => (n === E2EE_CUSTOMER ? session.host !== null : session.members.has(e2ee.participantOf(n) ?? '')),
    isController: (n) => {
      const pid = e2ee.participantOf(n);
      return pid !== undefined && session.control.isController(pid);
    },
  };
}

/** Sends to every member but `except`: local sockets directly, once per other node over the bus. */
export function sendToMembers(relay: Relay, session: LiveSession, frame: Uint8Array, except?: string): void {
  let remote: Map<string, string[]> | null = null;
  for (const [id, member] of session.members) {
    if (id === except) continue;
    const node = member.peer.remoteNode;
    if (!node) member.peer.sendFrame(frame);
    else {
      remote ??= new Map();
      const conns = remote.get(node) ?? [];
      conns.push(member.peer.connId);
      remote.set(node, conns);
    }
  }
  if (remote) for (const [node, conns] of remote) relay.cluster.sendFrame(node, conns, frame);
}

/**
 * Routes one end-to-end encrypted frame inside its session after the gate has accepted its header
 * (docs/E2EE.md, "Relay"). The body is never read: group frames go to every other member,
 * pairwise frames to the member in `to`. DOM frames also fill the ciphertext late-join cache and
 * the recording; chat is stored as ciphertext for the session's history.
 */
export function routeE2eeFrame(relay: Relay, session: LiveSession, sender: E2eeSender, frame: Uint8Array): void {
  const peer = sender.kind === 'host' ? sender.peer : sender.member.peer;
  const e2ee = session.e2ee;
  if (!e2ee) return peer.fail('e2ee_not_enabled');
  const number = sender.kind === 'host' ? E2EE_CUSTOMER : sender.member.participant.member;
  if (number === undefined) return peer.fail('e2ee_type_forbidden', 'This participant has no member number; it cannot send encrypted frames.');
  const epochBefore = e2ee.gate.epoch;
  const verdict = e2ee.gate.check(frame, number, membersView(session));
  if (!verdict.ok) {
    session.log.info({ code: verdict.code, member: number }, 'encrypted frame refused');
    return peer.fail(verdict.code, verdict.message);
  }
  const h = verdict.header;
  if (e2ee.gate.epoch !== epochBefore) e2ee.cache.startEpoch(e2ee.gate.epoch);
  if (E2EE_PAIRWISE_TYPES.has(h.type)) return deliverPairwise(session, h, frame);
  const senderId = sender.kind === 'host' ? HOST_PARTICIPANT_ID : sender.member.participant.id;
  sendToMembers(relay, session, frame, senderId);
  if (sender.kind === 'member') session.host?.sendFrame(frame);
  if (DOM_TYPES.has(h.type)) {
    if (e2ee.cache.store(h, frame)) session.host?.sendMessage({ type: 'keyframe_needed', reason: 'cache_full' });
    session.recorder?.append(frame, h.seq);
  } else if (h.type === 'chat') {
    storeChat(relay, session, sender.kind === 'host' ? session.hostParticipant() : sender.member.participant, h, frame);
  }
}

function deliverPairwise(session: LiveSession, h: E2eeHeader, frame: Uint8Array): void {
  if (h.to === E2EE_CUSTOMER) return session.host?.sendFrame(frame);
  const pid = session.e2ee?.participantOf(h.to);
  if (pid) session.members.get(pid)?.peer.sendFrame(frame);
}

/**
 * Keeps an encrypted chat message for the session's history, as the base64 of the whole frame
 * (its header is the AAD of its body): only members holding the epoch key can read it. Webhooks
 * get the metadata only.
 */
function storeChat(relay: Relay, session: LiveSession, from: Participant, h: E2eeHeader, frame: Uint8Array): void {
  const text = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('base64');
  const who = { participantId: from.id, name: from.name, role: from.role };
  const { message } = session.chat.append(who, `e2ee:${h.sender}:${h.epoch}:${h.seq}`, text);
  message.encrypted = true;
  session.chatWrites = session.chatWrites
    .then(() => relay.deps.collab.appendChat(session.tenantId, session.id, message))
    .catch((err: unknown) => session.log.error({ err }, 'could not store encrypted chat message'));
  relay.events.emit(session.tenantId, 'message.created', {
    sessionId: session.id,
    message: { id: message.id, seq: message.seq, from: message.from, text: null, encrypted: true, at: message.at },
  });
}

/**
 * The customer's tab uploads an epoch key wrapped to the tenant's recording key (recorded
 * encrypted sessions only). Stored as the opaque text it is; replay needs the tenant's private key.
 */
export function storeRecordingKey(relay: Relay, session: LiveSession | null, peer: Peer, epoch: number, wrapped: string): void {
  if (!session || session.ended) return peer.fail('unexpected_message', 'Start a session first.');
  if (!session.e2ee) return peer.fail('e2ee_not_enabled', 'Recording keys belong to end-to-end encrypted sessions.');
  if (!session.recorder) return peer.fail('e2ee_feature_off', 'This session is not recorded.');
  createRecordingKeyStore(relay.deps.store.db)
    .addEpochKey(session.tenantId, session.id, epoch, wrapped)
    .then((stored) => {
      if (!stored) peer.fail('rate_limited', 'This recording has as many epoch keys as it may hold.');
    })
    .catch((err: unknown) => {
      session.log.error({ err }, 'could not store a recording key');
      peer.fail('database_unavailable');
    });
}
