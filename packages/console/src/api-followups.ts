/** The inbox API ("Leave a message": messages, replies, notes, snapshots) and share links. */
import type { FollowupEntry, FollowupSummary, Share as ProtocolShare, ShareTarget } from '@samepage/protocol';
import type { RecordedEvent } from './api-recordings.ts';
import type { ApiResult } from './api-sessions.ts';

export type InboxMessage = FollowupSummary;
export type InboxEntry = FollowupEntry;

export interface MessageDetail {
  message: InboxMessage;
  entries: InboxEntry[];
  allowedOrigins: string[];
}

/** A share link as listed for the console, with the title of what it points at. */
export type Share = ProtocolShare & { title?: string };
export type { ShareTarget };

export type InboxFilter = 'all' | 'unread' | 'open';

const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

async function call<T>(method: 'GET' | 'POST', path: string, read: (body: Record<string, unknown>) => T | null, body?: unknown): Promise<ApiResult<T>> {
  try {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: method === 'POST' ? { 'content-type': 'application/json', 'x-samepage-csrf': '1' } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) return { ok: false, status: response.status };
    const parsed = obj(await response.json());
    const value = parsed ? read(parsed) : null;
    return value === null ? { ok: false, status: 0 } : { ok: true, value };
  } catch {
    return { ok: false, status: 0 };
  }
}

export function fetchInbox(filter: InboxFilter = 'all'): Promise<ApiResult<{ messages: InboxMessage[]; unread: number }>> {
  return call('GET', `/api/messages?status=${filter}&limit=200`, (b) => ({ messages: arr<InboxMessage>(b.messages), unread: Number(b.unread ?? 0) }));
}

export function fetchUnreadCount(): Promise<ApiResult<number>> {
  return call('GET', '/api/messages/unread', (b) => (typeof b.unread === 'number' ? b.unread : null));
}

export function fetchMessage(id: string): Promise<ApiResult<MessageDetail>> {
  return call('GET', `/api/messages/${encodeURIComponent(id)}`, (b) => {
    const message = obj(b.message) as InboxMessage | null;
    return message && typeof message.id === 'string' ? { message, entries: arr<InboxEntry>(b.entries), allowedOrigins: arr<string>(b.allowedOrigins) } : null;
  });
}

/** The visitor's page snapshot: rrweb events (Meta + FullSnapshot), redacted in their tab. */
export async function fetchSnapshotEvents(id: string): Promise<ApiResult<RecordedEvent[]>> {
  try {
    const response = await fetch(`/api/messages/${encodeURIComponent(id)}/snapshot`, { credentials: 'same-origin' });
    if (!response.ok) return { ok: false, status: response.status };
    const body = (await response.json()) as unknown;
    if (!Array.isArray(body)) return { ok: false, status: 0 };
    return { ok: true, value: body.filter((e): e is RecordedEvent => typeof obj(e)?.type === 'number' && typeof obj(e)?.timestamp === 'number') };
  } catch {
    return { ok: false, status: 0 };
  }
}

/** A reply (shown to the visitor) or a note (agents only). */
export function postEntry(id: string, kind: 'replies' | 'notes', text: string): Promise<ApiResult<InboxEntry>> {
  return call('POST', `/api/messages/${encodeURIComponent(id)}/${kind}`, (b) => (obj(b.entry) as InboxEntry | null) ?? null, { text });
}

export function createShare(target: ShareTarget, toUserId: string | null, note: string): Promise<ApiResult<{ share: Share; url: string }>> {
  return call('POST', '/api/shares', (b) => (obj(b.share) && typeof b.url === 'string' ? { share: b.share as Share, url: b.url } : null), { target, ...(toUserId ? { toUserId } : {}), note });
}

export function fetchShares(): Promise<ApiResult<Share[]>> {
  return call('GET', '/api/shares', (b) => arr<Share>(b.shares));
}

export function fetchShare(id: string): Promise<ApiResult<{ share: Share; title: string; live: boolean; recording: boolean }>> {
  return call('GET', `/api/shares/${encodeURIComponent(id)}`, (b) =>
    obj(b.share) ? { share: b.share as Share, title: String(b.title ?? ''), live: b.live === true, recording: b.recording === true } : null,
  );
}

export function fetchColleagues(): Promise<ApiResult<Array<{ id: string; name: string }>>> {
  return call('GET', '/api/shares/colleagues', (b) => arr<{ id: string; name: string }>(b.colleagues));
}
