/**
 * The shapes of "Leave a message" threads and share links, as the server stores them and the
 * console reads them from `/api/messages…` and `/api/shares…` (docs/SERVER-API.md).
 */

/** What an entry of a follow-up thread is: the visitor's message, an agent's reply (shown to the visitor), or a note (never shown). */
export type FollowupEntryKind = 'visitor' | 'reply' | 'note';

export interface FollowupEntry {
  id: string;
  kind: FollowupEntryKind;
  userId: string | null;
  authorName: string;
  text: string;
  at: number;
}

export interface FollowupSummary {
  id: string;
  siteId: string;
  siteName: string;
  visitor: { id: string | null; name: string | null; email: string | null };
  page: { url: string; title: string };
  /** The visitor's message (first entry), for lists. */
  text: string;
  createdAt: number;
  updatedAt: number;
  readAt: number | null;
  repliedAt: number | null;
  /** When the visitor's widget showed the latest reply. */
  replySeenAt: number | null;
  snapshotBytes: number | null;
  /** Set when the visitor started a live session from a reply: its join code. */
  live: { code: string; at: number } | null;
}

export type ShareTarget = { type: 'session' | 'message'; id: string };

export interface Share {
  id: string;
  target: ShareTarget;
  from: { userId: string; name: string };
  /** The colleague it is meant for; null = anyone of the tenant allowed to open the target. */
  toUserId: string | null;
  note: string;
  createdAt: number;
  pickedUpAt: number | null;
  pickedUpBy: string | null;
}
