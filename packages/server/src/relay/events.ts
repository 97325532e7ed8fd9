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
  'message.created': { sessionId: string; message: { id: string; seq: number; from: { participantId: string; name: string; role: string }; text: string; at: number } };
}

export interface EventSink {
  emit<T extends EventType>(tenantId: string, type: T, data: EventData[T]): void;
}

export const NO_EVENTS: EventSink = { emit: () => undefined };
