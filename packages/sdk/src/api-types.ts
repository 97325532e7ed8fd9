/**
 * Types shared by the loader (sdk.js) and the capture bundle (capture.js). Types only: the
 * two bundles are built separately and talk through a private hook on `window.Samepage`.
 */
import type { EndedBy, ErrorCode, Participant } from '@samepage/protocol';

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
}
export type SamepageEventName = keyof SamepageEvents;
export type SamepageHandler<K extends SamepageEventName> = (payload: SamepageEvents[K]) => void;

export interface SamepageSnapshot {
  state: SessionState;
  code: string | null;
  expiresAt: number | null;
  /** Agents currently viewing. */
  participants: Participant[];
}

export interface SamepageOptions {
  siteKey?: string;
  /** The Samepage server's origin, e.g. "https://help.example.com". */
  server?: string;
  widget?: boolean;
  lang?: string;
  onError?: (error: SamepageError) => void;
}

export interface ResolvedConfig {
  siteKey: string;
  server: string;
  widget: boolean;
  lang: string;
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
}

/** What the capture bundle gives back to the loader. */
export interface CaptureController {
  start(): Promise<{ code: string }>;
  end(): Promise<void>;
  /** Resumes the session kept in sessionStorage (page load in the same tab). */
  resume(): void;
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
  /** Private: the capture bundle registers itself here. */
  _r?: (factory: CaptureFactory) => void;
}

declare global {
  interface Window {
    Samepage?: SamepageApi;
  }
}
