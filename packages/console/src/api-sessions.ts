/** The session history API: live sessions (supervisors), past sessions, their chat and notes. */
import type { ChatMessage, LiveSessionListItem } from '@samepage/protocol';

/** A row of the live-sessions list; `reconnecting` while its customer's tab is away and may resume. */
export type LiveSessionSummary = LiveSessionListItem;

export interface PastSessionSummary {
  id: string;
  siteName: string;
  startedAt: number;
  endedAt: number | null;
  endedBy: string | null;
  endReason: string | null;
  agents: string[];
  messageCount: number;
}

export interface Note {
  id: string;
  userName: string;
  text: string;
  at: number;
}

export interface SessionDetail {
  session: Partial<PastSessionSummary> & { id: string };
  participants: { name: string; role: string; title?: string }[];
  chat: ChatMessage[];
  notes: Note[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; status: number };

async function getJson<T>(path: string, read: (body: Record<string, unknown>) => T | null): Promise<ApiResult<T>> {
  try {
    const response = await fetch(path, { credentials: 'same-origin' });
    if (!response.ok) return { ok: false, status: response.status };
    const body = (await response.json()) as unknown;
    const value = typeof body === 'object' && body !== null ? read(body as Record<string, unknown>) : null;
    return value === null ? { ok: false, status: 0 } : { ok: true, value };
  } catch {
    return { ok: false, status: 0 };
  }
}

const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

export function fetchLiveSessions(): Promise<ApiResult<LiveSessionSummary[]>> {
  return getJson('/api/sessions/live', (body) => list<LiveSessionSummary>(body.sessions));
}

export function fetchPastSessions(limit = 50): Promise<ApiResult<PastSessionSummary[]>> {
  return getJson(`/api/sessions?limit=${limit}`, (body) => list<PastSessionSummary>(body.sessions));
}

export function fetchSessionDetail(sessionId: string): Promise<ApiResult<SessionDetail>> {
  return getJson(`/api/sessions/${encodeURIComponent(sessionId)}`, (body) => {
    const session = body.session as SessionDetail['session'] | undefined;
    if (!session || typeof session.id !== 'string') return null;
    const chat = list<ChatMessage>(body.chat).slice().sort((a, b) => a.seq - b.seq);
    return { session, participants: list(body.participants), chat, notes: list<Note>(body.notes) };
  });
}

export async function addNote(sessionId: string, text: string): Promise<ApiResult<Note>> {
  try {
    const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/notes`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-samepage-csrf': '1' },
      body: JSON.stringify({ text }),
    });
    if (!response.ok) return { ok: false, status: response.status };
    const note = ((await response.json()) as { note?: Note } | null)?.note;
    return note && typeof note.text === 'string' ? { ok: true, value: note } : { ok: false, status: 0 };
  } catch {
    return { ok: false, status: 0 };
  }
}
