/**
 * The contract between capture.js (e2ee-hook.ts) and e2ee.js (end-to-end encryption, loaded
 * only when the site's policy turns it on). Types only: the bundles are built separately.
 */
import type { ClientMessage, Participant, ServerMessage } from '@samepage/protocol';
import type { CaptureHost } from './api-types.ts';
import type { Widget } from './layers.ts';

export interface E2eeContext {
  host: CaptureHost;
  sessionId: string;
  /** The relay's newest epoch (from welcome.resumed), or null for a new session. */
  serverEpoch: number | null;
  /** Sends a sealed frame on the socket now; false when it is not open. */
  sendBinary(frame: Uint8Array): boolean;
  /** Sends a JSON message the relay may see (control_grant, …). */
  send(message: ClientMessage): boolean;
  /** Hands an opened chat or control message to the collaboration features, as if the server sent it. */
  deliver(message: ServerMessage): void;
  /** The agents and guests in the session, with their member numbers. */
  participants(): readonly Participant[];
  /** Asks the capture pipeline for a fresh keyframe (a new epoch needs one). */
  takeKeyframe(): void;
  widget(): Widget | null;
}

export interface E2eeChannel {
  /** True while an epoch key exists: DOM frames can be sealed. */
  ready(): boolean;
  /** Seals one DOM frame of the capture pipeline and sends it, in order. */
  sealDom(frame: Uint8Array): void;
  /** Bytes handed to sealDom and not sent yet. */
  pendingBytes(): number;
  /** A binary frame from the relay (pairing, chat, control, vouches). */
  receive(frame: Uint8Array): void;
  /** A JSON message from the relay (participants and control changes). */
  observe(message: ServerMessage): void;
  /** An outgoing message of the collaboration features; true when it went encrypted (or was held). */
  intercept(message: ClientMessage): boolean;
  /** The customer's answer for an agent's code (the dialog, or `Samepage.confirmAgent`). */
  confirmAgent(participantId: string, matches: boolean): void;
  /** The session ended (`ended`: forget its keys) or this page is going away. */
  stop(ended: boolean): void;
}

export type E2eeFactory = (context: E2eeContext) => E2eeChannel;
