/**
 * Every JSON message of the Samepage socket protocol, defined once. Text frames carry these;
 * binary frames carry the DOM stream (see dom-frame.ts). Client = SDK or console, server = relay.
 */
import * as v from 'valibot';
import { ERROR_CODES } from './errors.ts';

export const PROTOCOL_VERSION = 1;

/** Largest JSON (text) frame accepted, in bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const shortText = v.pipe(v.string(), v.maxLength(200));
const coord = v.pipe(v.number(), v.finite(), v.minValue(-1e7), v.maxValue(1e7));

export const participantSchema = v.object({
  id,
  name: shortText,
  role: v.picklist(['host', 'agent']),
  color: shortText,
});
export type Participant = v.InferOutput<typeof participantSchema>;

export const redactionRulesSchema = v.object({
  /** Extra CSS selectors whose text is masked. */
  redact: v.array(v.string()),
  /** Extra CSS selectors replaced by a grey box. */
  block: v.array(v.string()),
  /** Extra CSS selectors whose input values may be shown. */
  allow: v.array(v.string()),
});
export type RedactionRules = v.InferOutput<typeof redactionRulesSchema>;

export const hostStatusSchema = v.picklist(['active', 'hidden', 'reconnecting', 'unloading']);
export type HostStatus = v.InferOutput<typeof hostStatusSchema>;

export const endedBySchema = v.picklist(['customer', 'agent', 'system']);
export type EndedBy = v.InferOutput<typeof endedBySchema>;

// ---- client -> server -------------------------------------------------------------------

export const hostHelloSchema = v.object({
  type: v.literal('host_hello'),
  v: v.number(),
  siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  page: v.object({ url: v.pipe(v.string(), v.maxLength(4096)), title: v.pipe(v.string(), v.maxLength(1024)) }),
  /** Present when a page load or a network blip resumes a running session. */
  resume: v.optional(v.object({ sessionId: id, token: v.pipe(v.string(), v.maxLength(256)) })),
});
export const agentHelloSchema = v.object({ type: v.literal('agent_hello'), v: v.number() });
export const sessionStartSchema = v.object({ type: v.literal('session_start') });
export const sessionEndSchema = v.object({ type: v.literal('session_end') });
/** The host's page is about to unload (navigation or closing the tab). */
export const hostUnloadSchema = v.object({ type: v.literal('host_unload') });
export const hostVisibilitySchema = v.object({ type: v.literal('host_visibility'), visible: v.boolean() });
export const joinSchema = v.object({ type: v.literal('join'), code: v.pipe(v.string(), v.maxLength(32)) });
export const leaveSchema = v.object({ type: v.literal('leave') });
/** An agent's pointer, in the customer's document coordinates (CSS px); null hides it. */
export const pointerSchema = v.object({
  type: v.literal('pointer'),
  x: v.nullable(coord),
  y: v.nullable(coord),
});
export const keyframeRequestSchema = v.object({ type: v.literal('keyframe_request') });

export const clientMessageSchema = v.variant('type', [
  hostHelloSchema,
  agentHelloSchema,
  sessionStartSchema,
  sessionEndSchema,
  hostUnloadSchema,
  hostVisibilitySchema,
  joinSchema,
  leaveSchema,
  pointerSchema,
  keyframeRequestSchema,
]);
export type ClientMessage = v.InferOutput<typeof clientMessageSchema>;

// ---- server -> client -------------------------------------------------------------------

export const welcomeSchema = v.object({
  type: v.literal('welcome'),
  v: v.number(),
  connId: id,
  /** For hosts: the site's redaction rules, applied in the tab on top of the defaults. */
  redaction: v.optional(redactionRulesSchema),
  /** For hosts resuming a session: the session and who is in it. */
  resumed: v.optional(
    v.object({
      sessionId: id,
      participants: v.array(participantSchema),
      /** Where the host's frame numbering continues: the next epoch and seq the server accepts. */
      nextEpoch: v.number(),
      nextSeq: v.number(),
    }),
  ),
  /** For agents: who is logged in. */
  user: v.optional(v.object({ id, name: shortText })),
});
export const sessionCreatedSchema = v.object({
  type: v.literal('session_created'),
  sessionId: id,
  code: v.pipe(v.string(), v.regex(/^\d{6}$/)),
  expiresAt: v.number(),
  resumeToken: v.string(),
});
export const joinedSchema = v.object({
  type: v.literal('joined'),
  sessionId: id,
  participantId: id,
  hostStatus: hostStatusSchema,
  page: v.object({ url: v.string(), title: v.string() }),
  participants: v.array(participantSchema),
});
export const participantJoinedSchema = v.object({ type: v.literal('participant_joined'), participant: participantSchema });
export const participantLeftSchema = v.object({
  type: v.literal('participant_left'),
  participantId: id,
  reason: shortText,
});
export const hostStatusMessageSchema = v.object({
  type: v.literal('host_status'),
  status: hostStatusSchema,
  page: v.optional(v.object({ url: v.string(), title: v.string() })),
});
export const agentPointerSchema = v.object({
  type: v.literal('agent_pointer'),
  participantId: id,
  x: v.nullable(coord),
  y: v.nullable(coord),
});
export const serverKeyframeRequestSchema = v.object({ type: v.literal('keyframe_needed'), reason: shortText });
export const sessionEndedSchema = v.object({
  type: v.literal('session_ended'),
  endedBy: endedBySchema,
  reason: shortText,
});
export const errorMessageSchema = v.object({
  type: v.literal('error'),
  code: v.picklist(ERROR_CODES),
  message: v.string(),
  fatal: v.boolean(),
});

export const serverMessageSchema = v.variant('type', [
  welcomeSchema,
  sessionCreatedSchema,
  joinedSchema,
  participantJoinedSchema,
  participantLeftSchema,
  hostStatusMessageSchema,
  agentPointerSchema,
  serverKeyframeRequestSchema,
  sessionEndedSchema,
  errorMessageSchema,
]);
export type ServerMessage = v.InferOutput<typeof serverMessageSchema>;

export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
