import type { NodeAnswer, NodeQuestion, SessionLiveView } from '../cluster/node-requests.ts';
import type { LiveSession } from './live-session.ts';
import type { Relay } from './relay.ts';

/**
 * What the HTTP API asks of a live session, run by its home: the same code whether the request
 * arrived on the home or on another node that forwarded it (cluster/node-requests.ts).
 */

/** The tenant's live session `sid` if this node is its home, else null. */
export function homeSession(relay: Relay, tenantId: string, sid: string): LiveSession | null {
  const session = relay.sessions.get(sid);
  return session && session.tenantId === tenantId && !session.ended ? session : null;
}

export function liveView(session: LiveSession): SessionLiveView {
  return { page: session.page, participants: session.participants().map((p) => ({ id: p.id, name: p.name, role: p.role })) };
}

/** Everyone in the session, the customer too, sees it end (endedBy system, reason ended_by_api). */
export function endByApi(session: LiveSession): void {
  session.apply({ type: 'system_ended', reason: 'ended_by_api' });
}

/** On the home: the answer to another node's question about one of its sessions. */
export function answerQuestion(relay: Relay, question: NodeQuestion): NodeAnswer<NodeQuestion['q']> {
  const session = homeSession(relay, question.tenantId, question.sid);
  switch (question.q) {
    case 'end_session':
      if (session) endByApi(session);
      return { ended: session !== null };
    case 'session_live':
      return { live: session ? liveView(session) : null };
  }
}
