import * as v from 'valibot';
import { PERMISSIONS } from '@samepage/protocol';
import { EVENT_TYPES } from '../relay/events.ts';

/**
 * Response shapes, for the OpenAPI document only (the server builds these objects itself; the
 * request side is validated with admin-schemas.ts). Times are milliseconds since 1970.
 */
const ms = v.number();
const msOrNull = v.nullable(v.number());
const str = v.string();
const strOrNull = v.nullable(v.string());

export const shapes = {
  error: v.object({ error: v.object({ code: str, message: str }) }),
  user: v.object({ id: str, email: str, name: str, role: str, disabled: v.boolean(), createdAt: v.optional(ms) }),
  role: v.object({ key: str, title: str, permissions: v.array(v.picklist(PERMISSIONS)), builtIn: v.boolean() }),
  site: v.object({
    id: str,
    tenantId: str,
    name: str,
    siteKey: str,
    allowedOrigins: v.array(str),
    redaction: v.object({ redact: v.array(str), block: v.array(str), allow: v.array(str) }),
    policy: v.object({
      controlRoles: v.array(str),
      allowNavigation: v.boolean(),
      allowGuests: v.boolean(),
      recordSessions: v.boolean(),
      allowCustomerStart: v.boolean(),
      e2ee: v.boolean(),
      theme: v.optional(
        v.object({
          brandColor: v.optional(str),
          logoUrl: v.optional(str),
          position: v.optional(v.picklist(['bottom-right', 'bottom-left', 'top-right', 'top-left'])),
          mode: v.optional(v.picklist(['light', 'dark', 'auto'])),
          text: v.optional(v.record(str, str)),
        }),
      ),
    }),
  }),
  sessionSummary: v.object({
    id: str,
    siteName: str,
    startedAt: ms,
    endedAt: msOrNull,
    endedBy: strOrNull,
    endReason: strOrNull,
    visitor: v.unknown(),
    agents: v.array(str),
    messageCount: v.number(),
    live: v.optional(v.boolean()),
    /** The session was end-to-end encrypted: its chat is stored as ciphertext (`encrypted: true`). */
    e2ee: v.optional(v.boolean()),
  }),
  /** `encrypted: true`: `text` is the base64 of the encrypted frame (end-to-end encrypted session), unreadable to the server. */
  chatMessage: v.object({ seq: v.number(), id: str, clientId: str, from: v.object({ participantId: str, name: str, role: str }), text: str, at: ms, encrypted: v.optional(v.boolean()) }),
  note: v.object({ id: str, userId: str, userName: str, text: str, at: ms }),
  participant: v.object({ id: str, name: str, role: str, joinedAt: ms, leftAt: msOrNull }),
  visitor: v.object({ visitorId: str, siteId: str, siteName: str, identity: v.optional(v.unknown()), page: v.object({ url: str, title: str }), since: ms, inSession: v.boolean() }),
  auditEntry: v.object({ id: v.number(), at: ms, tenantId: str, actorType: str, actorId: strOrNull, action: str, sessionId: strOrNull, detail: v.record(str, v.unknown()) }),
  token: v.object({ id: str, tenantId: str, name: str, permissions: v.array(v.picklist(PERMISSIONS)), createdAt: ms, lastUsedAt: msOrNull, revokedAt: msOrNull }),
  webhook: v.object({ id: str, tenantId: str, url: str, events: v.array(v.picklist(EVENT_TYPES)), createdAt: ms, disabled: v.boolean() }),
  recording: v.object({ sessionId: str, siteId: str, siteName: str, startedAt: ms, endedAt: msOrNull, durationMs: v.number(), sizeBytes: v.number(), frames: v.number(), e2ee: v.optional(v.boolean()) }),
  delivery: v.object({ id: str, event: str, attempts: v.number(), nextAttemptAt: msOrNull, deliveredAt: msOrNull, lastStatus: v.nullable(v.number()), lastError: strOrNull, createdAt: ms }),
};

export const responses = {
  users: v.object({ users: v.array(shapes.user) }),
  user: v.object({ user: shapes.user }),
  roles: v.object({ roles: v.array(shapes.role), permissions: v.array(v.picklist(PERMISSIONS)) }),
  role: v.object({ role: shapes.role }),
  sites: v.object({ sites: v.array(shapes.site) }),
  site: v.object({ site: shapes.site }),
  sessions: v.object({ sessions: v.array(shapes.sessionSummary) }),
  session: v.object({
    session: v.omit(shapes.sessionSummary, ['agents', 'messageCount']),
    participants: v.array(shapes.participant),
    chat: v.array(shapes.chatMessage),
    notes: v.array(shapes.note),
    live: v.nullable(v.object({ page: v.object({ url: str, title: str }), participants: v.array(v.object({ id: str, name: str, role: str })) })),
  }),
  code: v.object({ code: str, expiresAt: ms, joinUrl: str }),
  ended: v.object({ sessionId: str, endedBy: str, reason: str }),
  chat: v.object({ messages: v.array(shapes.chatMessage) }),
  notes: v.object({ notes: v.array(shapes.note) }),
  note: v.object({ note: shapes.note }),
  visitors: v.object({ visitors: v.array(shapes.visitor) }),
  visitorExport: v.object({ visitorId: str, sessions: v.array(v.unknown()), chat: v.array(v.unknown()), notes: v.array(v.unknown()), recordings: v.array(v.object({ sessionId: str, events: v.array(v.unknown()) })), messages: v.array(v.unknown()) }),
  visitorDeleted: v.object({ deleted: v.object({ sessions: v.number(), chat: v.number(), notes: v.number(), recordings: v.number(), messages: v.number() }) }),
  recordings: v.object({ recordings: v.array(shapes.recording) }),
  recording: v.object({
    recording: v.object({ ...shapes.recording.entries, allowedOrigins: v.array(str), eventsStartAt: ms, eventsEndAt: ms, events: v.number(), skippedFrames: v.number() }),
    markers: v.array(v.object({ kind: v.picklist(['chat', 'control', 'navigation']), at: ms, label: str, detail: v.record(str, v.unknown()) })),
    chat: v.array(shapes.chatMessage),
    notes: v.array(shapes.note),
  }),
  audit: v.object({ entries: v.array(shapes.auditEntry) }),
  usage: v.object({
    plan: v.object({ kind: v.picklist(['unlimited', 'seats', 'capacity']), limit: v.optional(v.number()) }),
    seatsUsed: v.number(),
    liveSessions: v.number(),
    daily: v.array(v.object({ day: str, peakConcurrent: v.number(), sessions: v.number() })),
    monthly: v.array(v.object({ month: str, sessions: v.number() })),
  }),
  tokens: v.object({ tokens: v.array(shapes.token) }),
  tokenCreated: v.object({ token: str, record: shapes.token }),
  webhooks: v.object({ webhooks: v.array(shapes.webhook) }),
  webhook: v.object({ webhook: shapes.webhook }),
  webhookCreated: v.object({ webhook: shapes.webhook, secret: str }),
  deliveries: v.object({ deliveries: v.array(shapes.delivery) }),
};
