/**
 * The contract between capture.js and collab.js (the collaboration features, loaded when a
 * session starts). Types only: the bundles are built separately.
 */
import type { ServerMessage, ClientMessage } from '@samepage/protocol';
import type { CaptureHost, ChatApi, CobrowseRequest, ControlApi, ControlInfo } from './api-types.ts';
import type { RedactionPolicy } from './redaction.ts';
import type { Widget } from './layers.ts';

export interface CollabContext {
  host: CaptureHost;
  send(message: ClientMessage): boolean;
  isReady(): boolean;
  /** The redaction policy in force (site rules included). */
  redaction(): RedactionPolicy;
  /** The capture mirror's node for an id. */
  getNode(id: number): Node | null;
  /** The widget's layers (they exist with data-widget off too, for pointers and drawings). */
  widget(): Widget | null;
  onControl(info: ControlInfo): void;
}

export interface CollabModule {
  chat: ChatApi;
  control: ControlApi;
  handle(message: ServerMessage): void;
  /** The socket is (re)connected and a session exists. */
  onReady(): void;
  onEnded(): void;
  inviteGuest(): Promise<{ url: string }>;
  promptCobrowse(request: CobrowseRequest): Promise<boolean>;
  toggleChat(): void;
  showInvite(): void;
}

export type CollabFactory = (context: CollabContext) => CollabModule;
