/**
 * Every JSON message of the Samepage socket protocol, defined once. Text frames carry these;
 * binary frames carry the DOM stream (see dom-frame.ts). Client = SDK or console, server = relay.
 */
import * as v from 'valibot';
import type { ErrorCode } from './errors.ts';
import { CONTROL_FAILURES, controlActionSchema } from './control.ts';
import { MAX_CHAT_TEXT, chatMessageSchema, drawOpSchema } from './collaboration.ts';

export const PROTOCOL_VERSION = 1;

/** Largest JSON (text) frame accepted, in bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const shortText = v.pipe(v.string(), v.maxLength(200));
const coord = v.pipe(v.number(), v.finite(), v.minValue(-1e7), v.maxValue(1e7));

export const participantSchema = v.object({
  id,
  name: shortText,
  /** host = the customer; agent = a console user; guest = a friend the customer invited (view only). */
  role: v.picklist(['host', 'agent', 'guest']),
  color: shortText,
  /** The agent's role as shown to people, e.g. "Senior agent". */
  title: v.optional(shortText),
  /**
   * End-to-end encrypted sessions: the member number this participant uses in the `sender` and
   * `to` fields of encrypted frames (0 is the customer's tab). Never reused within a session.
   */
  member: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xfffe))),
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

export const hostStatusSchema = v.picklist(['active', 'idle', 'hidden', 'reconnecting', 'unloading']);
export type HostStatus = v.InferOutput<typeof hostStatusSchema>;

export const endedBySchema = v.picklist(['customer', 'agent', 'system']);
export type EndedBy = v.InferOutput<typeof endedBySchema>;
/**
 * Why a session ended (`session_ended.reason`, the history's `endReason`, the `session.ended`
 * webhook), docs/PROTOCOL.md. By the customer: `stopped` (Stop), `closed` (no resume after a page
 * unload), `disconnected` (no resume after a drop). By the system: `ended_by_api`, `home_lost` (the
 * server holding the session stopped or died and the customer did not resume on another within
 * the grace), `capacity_reached` (the customer resumed on another server after its place in the
 * capacity plan was given back, and the plan was full by then), `shared_browser_<why>`. The wire
 * keeps it a string so older clients accept new ones.
 */
export type SessionEndReason = 'stopped' | 'closed' | 'disconnected' | 'ended_by_api' | 'home_lost' | 'capacity_reached' | `shared_browser_${string}`;

// ---- client -> server -------------------------------------------------------------------

export const visitorIdentitySchema = v.object({
  id: v.optional(v.pipe(v.string(), v.maxLength(256))),
  name: v.optional(shortText),
  email: v.optional(shortText),
});
export type VisitorIdentity = v.InferOutput<typeof visitorIdentitySchema>;

export const visitorSchema = v.object({
  /** The visitor's presence connection, used to address a co-browse request. */
  visitorId: id,
  siteId: id,
  siteName: shortText,
  identity: v.optional(visitorIdentitySchema),
  page: v.object({ url: v.string(), title: v.string() }),
  since: v.number(),
  inSession: v.boolean(),
});
export type Visitor = v.InferOutput<typeof visitorSchema>;

export const hostHelloSchema = v.object({
  type: v.literal('host_hello'),
  v: v.number(),
  siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  page: v.object({ url: v.pipe(v.string(), v.maxLength(4096)), title: v.pipe(v.string(), v.maxLength(1024)) }),
  /** Present when a page load or a network blip resumes a running session. */
  resume: v.optional(v.object({ sessionId: id, token: v.pipe(v.string(), v.maxLength(256)) })),
  /** Set by `Samepage.identify()`. */
  visitor: v.optional(visitorIdentitySchema),
  /** True when this SDK speaks end-to-end encryption (docs/E2EE.md); a site that requires it refuses others. */
  e2ee: v.optional(v.boolean()),
});
/** `e2ee`: the console speaks end-to-end encryption; it may join encrypted sessions only then. */
export const agentHelloSchema = v.object({ type: v.literal('agent_hello'), v: v.number(), e2ee: v.optional(v.boolean()) });
export const sessionStartSchema = v.object({
  type: v.literal('session_start'),
  /** Set when the customer accepted an agent's co-browse request; that agent joins at once. */
  requestId: v.optional(id),
});
export const sessionEndSchema = v.object({ type: v.literal('session_end') });
/** The host's page is about to unload (navigation or closing the tab). */
export const hostUnloadSchema = v.object({ type: v.literal('host_unload') });
/**
 * The tab's address or title changed without a page load (a single-page app's pushState or
 * replaceState, a hash change, a new document.title): agents see where the customer is.
 */
export const hostPageSchema = v.object({
  type: v.literal('host_page'),
  page: v.object({ url: v.pipe(v.string(), v.maxLength(4096)), title: v.pipe(v.string(), v.maxLength(1024)) }),
});
/** What the customer's built-in widget is showing, for the console (the widget is never in the replica). */
export const HOST_UI_PARTS = ['launcher', 'code', 'banner', 'prompt', 'chat', 'invite'] as const;
export const hostUiSchema = v.pipe(v.array(v.picklist(HOST_UI_PARTS)), v.maxLength(HOST_UI_PARTS.length));
export type HostUi = v.InferOutput<typeof hostUiSchema>;
export const hostVisibilitySchema = v.object({
  type: v.literal('host_visibility'),
  visible: v.boolean(),
  idle: v.optional(v.boolean()),
  /** Set by the built-in widget (absent in headless mode). */
  ui: v.optional(hostUiSchema),
});
export const joinSchema = v.object({ type: v.literal('join'), code: v.pipe(v.string(), v.maxLength(32)) });
export const leaveSchema = v.object({ type: v.literal('leave') });
/** An agent's pointer, in the customer's document coordinates (CSS px); null hides it. */
export const pointerSchema = v.object({
  type: v.literal('pointer'),
  x: v.nullable(coord),
  y: v.nullable(coord),
});
export const keyframeRequestSchema = v.object({ type: v.literal('keyframe_request') });

/** A logged-in agent joins a live session by id: needs `session.join_any` (supervisors). */
export const joinSessionSchema = v.object({ type: v.literal('join_session'), sessionId: id });
/** Presence of a tab with the SDK loaded, before any session: lets agents offer help. */
export const visitorHelloSchema = v.object({
  type: v.literal('visitor_hello'),
  v: v.number(),
  siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  page: v.object({ url: v.pipe(v.string(), v.maxLength(4096)), title: v.pipe(v.string(), v.maxLength(1024)) }),
  identity: v.optional(visitorIdentitySchema),
});
/** A new identity, or the page after a single-page navigation (the loader notices a new address or title). */
export const visitorUpdateSchema = v.object({
  type: v.literal('visitor_update'),
  identity: v.optional(visitorIdentitySchema),
  page: v.optional(v.object({ url: v.pipe(v.string(), v.maxLength(4096)), title: v.pipe(v.string(), v.maxLength(1024)) })),
});
/** A friend the customer invited, with the link's token: view only. */
export const guestHelloSchema = v.object({ type: v.literal('guest_hello'), v: v.number(), token: v.pipe(v.string(), v.maxLength(256)), name: v.optional(shortText) });

export const controlRequestSchema = v.object({ type: v.literal('control_request') });
export const controlReleaseSchema = v.object({ type: v.literal('control_release') });
/** The customer's answer to a control request. */
export const controlGrantSchema = v.object({ type: v.literal('control_grant'), participantId: id });
export const controlDenySchema = v.object({ type: v.literal('control_deny'), participantId: id });
/** The customer takes control back. */
export const controlRevokeSchema = v.object({ type: v.literal('control_revoke') });
export const controlActionMessageSchema = v.object({
  type: v.literal('control_action'),
  actionId: v.pipe(v.number(), v.integer(), v.minValue(0)),
  action: controlActionSchema,
});
export const controlResultSchema = v.object({
  type: v.literal('control_result'),
  participantId: id,
  actionId: v.pipe(v.number(), v.integer(), v.minValue(0)),
  ok: v.boolean(),
  failure: v.optional(v.picklist(CONTROL_FAILURES)),
  message: v.optional(shortText),
});
export const chatSendSchema = v.object({
  type: v.literal('chat_send'),
  clientId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CHAT_TEXT)),
});
export const chatTypingSchema = v.object({ type: v.literal('chat_typing'), typing: v.boolean() });
/** Asks for chat messages after `afterSeq`, e.g. after a reconnect. */
export const chatSyncSchema = v.object({ type: v.literal('chat_sync'), afterSeq: v.pipe(v.number(), v.integer(), v.minValue(0)) });
export const drawSchema = v.object({ type: v.literal('draw'), op: drawOpSchema });
/** An agent asks for a fresh code to invite a colleague into the session. */
export const inviteCreateSchema = v.object({ type: v.literal('invite_create') });
/** The customer asks for a view-only link for a friend. */
export const guestInviteCreateSchema = v.object({ type: v.literal('guest_invite_create') });
export const visitorsSubscribeSchema = v.object({ type: v.literal('visitors_subscribe') });
export const cobrowseRequestSchema = v.object({ type: v.literal('cobrowse_request'), visitorId: id });
export const cobrowseAnswerSchema = v.object({ type: v.literal('cobrowse_answer'), requestId: id, accepted: v.boolean() });
/**
 * End-to-end encrypted sessions with recording on: the customer's tab uploads an epoch's group
 * key, wrapped to the tenant's recording public key (ECDH-ES, e2ee/recording-wrap.ts). Opaque to the server.
 */
export const e2eeRecordingKeySchema = v.object({
  type: v.literal('e2ee_recording_key'),
  epoch: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff)),
  /** base64url of the wrapped key (e2ee/recording-wrap.ts: version, ephemeral public key, ciphertext), at most 1 KiB. */
  wrapped: v.pipe(v.string(), v.minLength(1), v.maxLength(1400), v.regex(/^[A-Za-z0-9+/_-]+={0,2}$/)),
});

export const clientMessageSchema = v.variant('type', [
  hostHelloSchema,
  agentHelloSchema,
  sessionStartSchema,
  sessionEndSchema,
  hostUnloadSchema,
  hostVisibilitySchema,
  hostPageSchema,
  joinSchema,
  leaveSchema,
  pointerSchema,
  keyframeRequestSchema,
  joinSessionSchema,
  visitorHelloSchema,
  visitorUpdateSchema,
  guestHelloSchema,
  controlRequestSchema,
  controlReleaseSchema,
  controlGrantSchema,
  controlDenySchema,
  controlRevokeSchema,
  controlActionMessageSchema,
  controlResultSchema,
  chatSendSchema,
  chatTypingSchema,
  chatSyncSchema,
  drawSchema,
  inviteCreateSchema,
  guestInviteCreateSchema,
  visitorsSubscribeSchema,
  cobrowseRequestSchema,
  cobrowseAnswerSchema,
  e2eeRecordingKeySchema,
]);
export type ClientMessage = v.InferOutput<typeof clientMessageSchema>;

// ---- server -> client -------------------------------------------------------------------

/** A site's widget theme (console, or SDK options, which win). Unknown text keys are ignored by the SDK. */
export const siteThemeSchema = v.object({
  brandColor: v.optional(v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/i))),
  logoUrl: v.optional(v.pipe(v.string(), v.maxLength(2048), v.regex(/^(https?:\/\/|\/)/))),
  position: v.optional(v.picklist(['bottom-right', 'bottom-left', 'top-right', 'top-left'])),
  mode: v.optional(v.picklist(['light', 'dark', 'auto'])),
  /** Customer-facing texts to use instead of the SDK's, by key (see packages/sdk/src/i18n/en.ts). */
  text: v.optional(v.record(v.pipe(v.string(), v.maxLength(64)), v.pipe(v.string(), v.maxLength(500)))),
});
export type SiteTheme = v.InferOutput<typeof siteThemeSchema>;

/** The parts of a site's policy the SDK enforces or shows. */
export const sitePolicyPublicSchema = v.object({
  allowNavigation: v.boolean(),
  allowGuests: v.boolean(),
  recorded: v.boolean(),
  allowCustomerStart: v.boolean(),
  /** Origins the tab may be navigated to by an agent. */
  navigationOrigins: v.array(v.string()),
  company: shortText,
  /** The site's widget theme, if one is set. */
  theme: v.optional(siteThemeSchema),
  /**
   * End-to-end encryption is on: the DOM stream, chat and control travel as encrypted frames the
   * server cannot read (docs/E2EE.md), and features that need plaintext on the server are off.
   */
  e2ee: v.optional(v.boolean()),
  /**
   * With e2ee and recording on: the tenant's recording public key (base64url of an uncompressed
   * P-256 point) to which the customer's tab wraps each epoch key. Recording is off without one.
   */
  recordingKey: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export type SitePolicyPublic = v.InferOutput<typeof sitePolicyPublicSchema>;

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
  /** For agents: who is logged in, and what their role lets them do. */
  user: v.optional(v.object({ id, name: shortText, role: shortText, permissions: v.array(v.string()) })),
  /** For hosts: the site's policies that the customer's side needs to know. */
  policy: v.optional(sitePolicyPublicSchema),
  /** For guests: the session they watch. */
  guest: v.optional(v.object({ sessionId: id, participantId: id })),
  /** For presence sockets: whether an agent of the site's tenant has the console open (else the widget offers "Leave a message"). */
  agentsOnline: v.optional(v.boolean()),
  /** For presence sockets: the site's widget theme, so that "Get help" wears it before any session. */
  theme: v.optional(siteThemeSchema),
});
export const sessionCreatedSchema = v.object({
  type: v.literal('session_created'),
  sessionId: id,
  code: v.pipe(v.string(), v.regex(/^\d{6}$/)),
  expiresAt: v.number(),
  resumeToken: v.string(),
});
export const controlStateSchema = v.object({
  type: v.literal('control_state'),
  /** The participant in control, or null. */
  controllerId: v.nullable(id),
  /** Agents waiting for the customer's answer. */
  pending: v.array(id),
  /** Why it changed: granted, denied, revoked, released, left, reset. */
  reason: shortText,
});

/** A tab of a shared browser; `active` is the one streamed. Switched with the control action `tab`. */
export const browserTabSchema = v.object({
  index: v.pipe(v.number(), v.integer(), v.minValue(0)),
  url: v.pipe(v.string(), v.maxLength(4096)),
  title: v.pipe(v.string(), v.maxLength(1024)),
  active: v.boolean(),
});
export type BrowserTab = v.InferOutput<typeof browserTabSchema>;
/** The shared browser's tabs changed (opened, closed, navigated, switched). */
export const browserTabsSchema = v.object({ type: v.literal('browser_tabs'), tabs: v.array(browserTabSchema) });

export const joinedSchema = v.object({
  type: v.literal('joined'),
  sessionId: id,
  participantId: id,
  hostStatus: hostStatusSchema,
  page: v.object({ url: v.string(), title: v.string() }),
  participants: v.array(participantSchema),
  control: v.optional(v.object({ controllerId: v.nullable(id), pending: v.array(id) })),
  /** The chat so far. */
  chat: v.optional(v.array(chatMessageSchema)),
  /** The customer, if identified. */
  visitor: v.optional(visitorIdentitySchema),
  /** Site policies the console needs (e.g. whether navigation is allowed). */
  policy: v.optional(sitePolicyPublicSchema),
  /** What the customer's widget shows, as last reported (as host_status.ui); absent until reported. */
  hostUi: v.optional(hostUiSchema),
  /** Set when the session streams a shared browser on the server (docs/SHARED-BROWSER.md): its tabs. */
  sharedBrowser: v.optional(v.object({ tabs: v.array(browserTabSchema) })),
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
  /** What the customer's widget shows (prompt open, banner, chat), when it reported it. */
  ui: v.optional(hostUiSchema),
});
export const agentPointerSchema = v.object({
  type: v.literal('agent_pointer'),
  participantId: id,
  x: v.nullable(coord),
  y: v.nullable(coord),
});
export const controlRequestedSchema = v.object({ type: v.literal('control_requested'), participantId: id, name: shortText });
export const controlActionForHostSchema = v.object({
  type: v.literal('control_action'),
  participantId: id,
  actionId: v.number(),
  action: controlActionSchema,
});
export const controlResultForAgentSchema = v.object({
  type: v.literal('control_result'),
  actionId: v.number(),
  ok: v.boolean(),
  failure: v.optional(v.picklist(CONTROL_FAILURES)),
  message: v.optional(shortText),
});
export const chatMessageMessageSchema = v.object({ type: v.literal('chat_message'), message: chatMessageSchema });
export const chatHistorySchema = v.object({ type: v.literal('chat_history'), messages: v.array(chatMessageSchema) });
export const chatTypingNoticeSchema = v.object({ type: v.literal('chat_typing'), participantId: id, typing: v.boolean() });
export const drawNoticeSchema = v.object({ type: v.literal('draw'), participantId: id, color: shortText, op: drawOpSchema });
export const inviteCreatedSchema = v.object({ type: v.literal('invite_created'), code: v.pipe(v.string(), v.regex(/^\d{6}$/)), expiresAt: v.number() });
export const guestInviteCreatedSchema = v.object({ type: v.literal('guest_invite_created'), url: v.string(), expiresAt: v.number() });
export const visitorsSchema = v.object({ type: v.literal('visitors'), visitors: v.array(visitorSchema) });
export const cobrowseRequestedSchema = v.object({ type: v.literal('cobrowse_requested'), requestId: id, agentName: shortText, company: shortText });
export const cobrowseAnsweredSchema = v.object({ type: v.literal('cobrowse_answered'), requestId: id, visitorId: id, accepted: v.boolean() });
/** To presence sockets, when it changes: whether an agent of the tenant is online (welcome.agentsOnline first). */
export const availabilitySchema = v.object({ type: v.literal('availability'), agentsOnline: v.boolean() });

/** Something agents of the tenant should know, e.g. a customer was turned away because the plan is full. */
/**
 * An error code from the catalogue (errors.ts). Checked by shape only, so that the customer's SDK,
 * which validates server messages, does not have to ship the whole catalogue; an unknown code is
 * handled like any other error.
 */
const errorCodeSchema = v.custom<ErrorCode>((value) => typeof value === 'string' && /^[a-z0-9_]{1,64}$/.test(value), 'not an error code');
export const noticeSchema = v.object({ type: v.literal('notice'), code: errorCodeSchema, message: v.string() });

export const serverKeyframeRequestSchema = v.object({ type: v.literal('keyframe_needed'), reason: shortText });
export const sessionEndedSchema = v.object({
  type: v.literal('session_ended'),
  endedBy: endedBySchema,
  reason: shortText,
});
export const errorMessageSchema = v.object({
  type: v.literal('error'),
  code: errorCodeSchema,
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
  controlStateSchema,
  controlRequestedSchema,
  controlActionForHostSchema,
  controlResultForAgentSchema,
  chatMessageMessageSchema,
  chatHistorySchema,
  chatTypingNoticeSchema,
  drawNoticeSchema,
  inviteCreatedSchema,
  guestInviteCreatedSchema,
  visitorsSchema,
  cobrowseRequestedSchema,
  cobrowseAnsweredSchema,
  availabilitySchema,
  noticeSchema,
  browserTabsSchema,
]);
export type ServerMessage = v.InferOutput<typeof serverMessageSchema>;

export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
