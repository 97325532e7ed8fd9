/**
 * Types of "Leave a message" shared by the loader (sdk.js), followup.js and snapshot.js. Types
 * only: the bundles are built separately and meet through the loader's private hook.
 */
import type { RedactionRules } from './redaction.ts';
import type { CaptureHost } from './api-types.ts';

/** What `Samepage.leaveMessage()` takes. */
export interface LeaveMessageInput {
  /** The message, 1 to 4000 characters. */
  text: string;
  /** Defaults to the name given to `Samepage.identify()`. */
  name?: string;
  /** Where the team may answer by email too; defaults to the identified visitor's email. */
  email?: string;
  /** Attach a snapshot of this page, redacted in this tab like a live session (default false). */
  attachSnapshot?: boolean;
}

export interface FollowupReply {
  id: string;
  authorName: string;
  text: string;
  at: number;
}

/** A message this browser left, with the team's replies. */
export interface FollowupThread {
  id: string;
  /** The visitor's message. */
  text: string;
  createdAt: number;
  replies: FollowupReply[];
  /** True once the visitor saw the latest reply (the widget's Close, or `markSeen`). */
  seen: boolean;
  /** The visitor has read the replies: they are not shown again, and this browser forgets the message. */
  markSeen(): Promise<void>;
}

/** What followup.js gives the loader. */
export interface FollowupModule {
  leave(input: LeaveMessageInput): Promise<{ id: string }>;
  /** Messages this browser left on this site (for this identified visitor), with replies. */
  replies(): Promise<FollowupThread[]>;
}

export type FollowupFactory = (host: CaptureHost) => FollowupModule;

/** What snapshot.js registers: one redacted Meta + FullSnapshot of the page, gzip-compressed JSON in base64; null if it failed. */
export type SnapshotTaker = (rules: Partial<RedactionRules>) => Promise<string | null>;
