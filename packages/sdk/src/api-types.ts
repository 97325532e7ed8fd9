/**
 * Types shared by the loader (sdk.js) and the capture bundle (capture.js). Types only: the
 * two bundles are built separately and talk through a private hook on `window.Samepage`.
 */
import type { ChatMessage, EndedBy, ErrorCode, Participant, SitePolicyPublic, SiteTheme, VisitorIdentity } from '@samepage/protocol';
import type { FollowupThread, LeaveMessageInput } from './followup-types.ts';

export type SessionState = 'idle' | 'starting' | 'waiting' | 'active' | 'ended';

export interface SamepageError {
  /** A protocol error code, or an SDK one (sdk_*). */
  code: ErrorCode | 'sdk_config' | 'sdk_load_failed' | 'sdk_internal' | 'sdk_connection_lost';
  message: string;
}

export interface SamepageEvents {
  state: SessionState;
  code: { code: string; expiresAt: number };
  participant_joined: Participant;
  participant_left: { participantId: string; reason: string };
  ended: { endedBy: EndedBy; reason: string };
  error: SamepageError;
  /** An agent asks to control the tab. With the widget on, the built-in prompt asks the customer. */
  control_requested: { participantId: string; name: string };
  /** Who controls the tab changed. */
  control: ControlInfo & { reason: string };
  /** A chat message, the customer's own included once the server stored it. */
  chat_message: ChatMessage;
  chat_typing: { participantId: string; typing: boolean };
  /** An agent asks to see this tab (agent-initiated session). Answer with acceptRequest / declineRequest. */
  cobrowse_requested: CobrowseRequest;
  /** The site's policy, from the server, once a session is connected. */
  policy: SitePolicyPublic;
  /** Whether an agent is online (from the presence socket); with none, offer `leaveMessage`. */
  availability: { agentsOnline: boolean };
  /** The team replied to a message this browser left (shown on a later visit). */
  followup_reply: FollowupThread;
  /**
   * End-to-end encryption: an agent's pairing is ready for the customer to compare codes. Ask
   * "Does {name} read you this code: {code}?" and answer with `Samepage.confirmAgent`. The
   * built-in widget asks by itself.
   */
  e2ee_verify: { participantId: string; name: string; code: string };
  /** End-to-end encryption: an agent was verified (by code, or vouched for by `voucher`), or its pairing failed. */
  e2ee_state: { participantId: string; name: string; state: 'verified' | 'failed'; reason?: string; voucher?: string };
  /** The connection to the server dropped ('reconnecting'), came back ('online') or was given up ('lost': the session ends). */
  connection: { state: ConnectionState };
}
export type ConnectionState = 'online' | 'reconnecting' | 'lost';
export type SamepageEventName = keyof SamepageEvents;
export type SamepageHandler<K extends SamepageEventName> = (payload: SamepageEvents[K]) => void;

export interface SamepageSnapshot {
  state: SessionState;
  code: string | null;
  expiresAt: number | null;
  /** Agents and guests in the session (never the customer). */
  participants: Participant[];
  control: ControlInfo;
  /** The site's policy (known once connected). */
  policy: SitePolicyPublic | null;
  /** During a session: 'reconnecting' while the SDK retries a dropped connection (up to 30 s), 'lost' once it gave up. */
  connection?: ConnectionState;
}

export interface ControlInfo {
  /** The participant in control, or null. */
  controllerId: string | null;
  /** Agents waiting for the customer's answer. */
  pending: string[];
}

export interface CobrowseRequest {
  requestId: string;
  agentName: string;
  company: string;
}

/** `Samepage.control`: for sites that answer control requests with their own UI (data-widget="off"). */
export interface ControlApi {
  allow(participantId: string): void;
  deny(participantId: string): void;
  /** Takes control back at once. */
  revoke(): void;
  state(): ControlInfo;
}

/** `Samepage.chat`: for sites with their own chat UI. */
export interface ChatApi {
  /** Resolves with the stored message once the server has it (also after a reconnect). */
  send(text: string): Promise<ChatMessage>;
  /** The chat so far, in order. */
  messages(): ChatMessage[];
  /** Tells the agents the customer is typing; goes back to false after 3 s or on send. */
  setTyping(typing: boolean): void;
  /** Messages written but not yet stored by the server. */
  pending(): { clientId: string; text: string }[];
}

export interface SamepageOptions {
  siteKey?: string;
  /** The Samepage server's origin, e.g. "https://help.example.com". */
  server?: string;
  widget?: boolean;
  /** "en", "fr", "de" or "es" (others fall back to the page's lang, the browser's, then English). */
  lang?: string;
  /**
   * Brand colour (#rrggbb), logo URL, corner, light/dark/auto mode and texts to use instead of
   * ours (by key, see i18n/en.ts). Wins over the theme set in the console.
   * @example Samepage.init({ theme: { brandColor: '#0f766e', position: 'bottom-left', mode: 'auto', text: { getHelp: 'Talk to us' } } });
   */
  theme?: SiteTheme;
  /** The presence socket that lets agents offer help before a session (default true). */
  presence?: boolean;
  /** After this long without input the customer shows as idle to agents (default 60 000 ms). */
  idleAfterMs?: number;
  /** How often canvases are sent to agents, in frames per second (default 2, at most 10; 0 = never). Unchanged canvases are not resent. */
  canvasFps?: number;
  /**
   * The customer's tab supplies the images, fonts and stylesheet assets of its own origin to the
   * session's agents (fetched with the page's credentials, uploaded to the asset proxy), for
   * intranet sites and assets behind a login. Default false. Also `data-inline-assets` on the tag.
   * @example Samepage.init({ inlineAssets: true });
   */
  inlineAssets?: boolean;
  /**
   * Hold back text and class/data/aria changes far below the customer's viewport and send each
   * node's latest state before it can be seen (default true; docs/PERFORMANCE.md, "Changes below
   * the fold"). false: every change is sent at once, e.g. when recordings must show the whole page.
   * @example Samepage.init({ holdOffscreen: false });
   */
  holdOffscreen?: boolean;
  /**
   * Requires end-to-end encryption (docs/E2EE.md): the tab never sends the page's address or
   * title in the clear, and refuses to share the page if the server does not offer encryption.
   * Also `data-e2ee` on the tag. The site's policy turns encryption on either way.
   */
  e2ee?: boolean;
  onError?: (error: SamepageError) => void;
}

export interface ResolvedConfig {
  siteKey: string;
  server: string;
  widget: boolean;
  lang: string;
  presence: boolean;
  idleAfterMs: number;
  canvasFps: number;
  theme: SiteTheme;
  /** SamepageOptions.inlineAssets (absent: off). */
  inlineAssets?: boolean;
  /** SamepageOptions.holdOffscreen (absent: on). */
  holdOffscreen?: boolean;
  /** SamepageOptions.e2ee / data-e2ee (absent: off). */
  e2ee?: boolean;
  /** The site's theme from the server before any session (presence welcome, cached): the launcher wears it. */
  siteTheme?: SiteTheme;
  /** Set when a parent page's session asked this cross-origin frame to share itself: the parent's origin (frame-child.ts). */
  frameParent?: string;
}

/** What the loader hands to the capture bundle. */
export interface CaptureHost {
  config: ResolvedConfig;
  emit<K extends SamepageEventName>(event: K, payload: SamepageEvents[K]): void;
  update(patch: Partial<SamepageSnapshot>): void;
  snapshot(): SamepageSnapshot;
  /** The widget's shadow root, created on first use (also when the widget is off, for pointers). */
  widgetRoot(): ShadowRoot | null;
  report(error: unknown, code?: SamepageError['code']): void;
  /** Loads another of our bundles (e.g. /sdk/collab.js); resolves with what it registers. */
  loadBundle(path: string): Promise<unknown>;
  /** SHA-384 integrity of bundles by path; loadBundle pins those it knows. capture.js adds the hashes of what it loads. */
  integrity: Record<string, string>;
  /** The widget's texts in force, set by capture.js and shared with collab.js (text.ts). */
  texts?: Record<string, string>;
  /** collab.js adds its English texts (then translated and overridden like the others). */
  addTexts?: (english: Record<string, string>) => void;
}

/** What the capture bundle gives back to the loader. */
export interface CaptureController {
  /** With a requestId, the session answers an agent's co-browse request and shows no code. */
  start(options?: { requestId?: string; agentName?: string }): Promise<{ code: string }>;
  end(): Promise<void>;
  /** Resumes the session kept in sessionStorage (page load in the same tab). */
  resume(): void;
  chat: ChatApi;
  control: ControlApi;
  inviteGuest(): Promise<{ url: string }>;
  /** Draws the widget again (the theme changed through Samepage.init). */
  refresh?(): void;
  /** Shows the built-in co-browse prompt (widget on); resolves with the customer's answer. */
  promptCobrowse(request: CobrowseRequest): Promise<boolean>;
  /** End-to-end encryption: the customer's answer to `e2ee_verify`. */
  confirmAgent?(participantId: string, matches: boolean): void;
}

export type CaptureFactory = (host: CaptureHost) => CaptureController;

/** The public API on `window.Samepage`. */
export interface SamepageApi {
  startSession(): Promise<{ code: string }>;
  endSession(): Promise<void>;
  on<K extends SamepageEventName>(event: K, handler: SamepageHandler<K>): () => void;
  off<K extends SamepageEventName>(event: K, handler: SamepageHandler<K>): void;
  getState(): SamepageSnapshot;
  init(options: SamepageOptions): void;
  /**
   * Names the visitor for agents (kept for this tab).
   * @example Samepage.identify({ id: 'u_42', name: 'Ann Lee', email: 'ann@example.com' });
   */
  identify(identity: VisitorIdentity): void;
  /** Accepts an agent's co-browse request: starts a session that agent joins at once. */
  acceptRequest(requestId: string): Promise<void>;
  declineRequest(requestId: string): void;
  /** A view-only link for a friend (only if the site allows guests). */
  inviteGuest(): Promise<{ url: string }>;
  chat: ChatApi;
  control: ControlApi;
  /**
   * Leaves a message for the team, e.g. when no agent is online; the reply shows on a later visit.
   * @example await Samepage.leaveMessage({ text: 'Can you call me back?', email: 'ann@example.com', attachSnapshot: true });
   */
  leaveMessage(message: LeaveMessageInput): Promise<{ id: string }>;
  /**
   * Messages this browser left on this site (for this identified visitor), with the team's replies.
   * @example for (const m of await Samepage.replies()) if (m.replies.length && !m.seen) { show(m); await m.markSeen(); }
   */
  replies(): Promise<FollowupThread[]>;
  /** Whether an agent is online: null until the presence socket knows. */
  agentsOnline(): boolean | null;
  /**
   * End-to-end encryption, for sites with their own UI: the customer's answer to `e2ee_verify`
   * (does the code the agent reads out match?). Nothing is shared with the agent before `true`.
   * @example Samepage.on('e2ee_verify', ({ participantId, name, code }) => Samepage.confirmAgent(participantId, confirm(`Does ${name} read you ${code}?`)));
   */
  confirmAgent(participantId: string, matches: boolean): void;
  /** Private: the capture and collab bundles register themselves here. */
  _r?: (factory: unknown) => void;
}

declare global {
  interface Window {
    Samepage?: SamepageApi;
  }
}
