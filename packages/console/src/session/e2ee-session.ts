/**
 * Starts (or keeps) the console's end of an encrypted session when `joined` says the site's
 * policy turns end-to-end encryption on. A rejoin under the same member number keeps the keys;
 * a new member number (a new seat) means a new pairing with the customer.
 */
import type { ServerMessageOf } from '@samepage/protocol';
import { AgentE2ee } from './e2ee-agent.ts';
import { failureText } from './control-text.ts';
import type { SessionController } from './session-controller.ts';

export type { AgentE2ee } from './e2ee-agent.ts';

export function startAgentE2ee(controller: SessionController, joined: ServerMessageOf<'joined'>, existing: AgentE2ee | null): AgentE2ee | null {
  const self = joined.participants.find((p) => p.id === joined.participantId);
  if (!self || self.member === undefined) return existing;
  if (existing?.matches(joined.sessionId, self.member)) return existing;
  existing?.dispose();
  const deps = controller.e2eeDeps();
  const e2ee = new AgentE2ee({
    sessionId: joined.sessionId,
    member: self.member,
    self,
    sendFrame: deps.sendFrame,
    domFrame: deps.domFrame,
    chat: deps.chat,
    controlResult: (ok, failure, message) => {
      if (!ok) deps.notice(failureText(failure, message));
    },
    participants: deps.participants,
    report: (error) => console.warn('[samepage] end-to-end encryption:', error),
  });
  e2ee.start();
  return e2ee;
}
