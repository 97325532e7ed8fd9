/**
 * What happens in live sessions, for integrations (webhooks). The relay reports events through
 * an EventSink in its deps; the default does nothing, so the relay stays testable on its own.
 */
export const EVENT_TYPES = ['session.started', 'session.ended', 'participant.joined', 'control.granted', 'message.created'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventData {
  'session.started': { sessionId: string; siteId: string; startedAt: number; page: { url: string; title: string }; visitor: unknown };
  'session.ended': { sessionId: string; siteId: string; endedBy: string; reason: string; startedAt: number; endedAt: number };
  'participant.joined': { sessionId: string; participant: { id: string; name: string; role: string; userId: string | null }; via: string };
  'control.granted': { sessionId: string; participant: { id: string; name: string } };
  /** A chat message in a session; or, with `followupId` and sessionId null, a "Leave a message" message or an agent's reply to it. */
  'message.created': {
    sessionId: string | null;
    followupId?: string;
    /** In an end-to-end encrypted session, metadata only: `text` is null and `encrypted` is true. */
    message: { id: string; seq: number; from: { participantId: string; name: string; role: string }; text: string | null; encrypted?: boolean; at: number };
  };
}

export interface EventSink {
  emit<T extends EventType>(tenantId: string, type: T, data: EventData[T]): void;
}

export const NO_EVENTS: EventSink = { emit: () => undefined };
