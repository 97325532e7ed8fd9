/** The recordings API (needs recordings.view): the list, one recording's metadata, and its rrweb events. */
import type { ChatMessage } from '@samepage/protocol';
import type { ApiResult, Note } from './api-sessions.ts';

export interface RecordingSummary {
  sessionId: string;
  siteName: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number;
  sizeBytes: number;
}

export interface RecordingMarker {
  kind: 'chat' | 'control' | 'navigation';
  /** Server time, ms since 1970 (the events' clock). */
  at: number;
  label: string;
  detail: Record<string, unknown>;
}

export interface RecordingDetail {
  /** `e2ee`: an end-to-end encrypted recording, played with the tenant's recording key (EncryptedRecordingPlayer.tsx). */
  recording: RecordingSummary & { allowedOrigins: string[]; eventsStartAt: number; eventsEndAt: number; e2ee?: boolean };
  markers: RecordingMarker[];
  chat: ChatMessage[];
  notes: Note[];
}

/** An rrweb event (rrweb 2.x format), as stored. */
export interface RecordedEvent {
  type: number;
  timestamp: number;
  data: unknown;
}

async function get<T>(path: string, read: (body: unknown) => T | null): Promise<ApiResult<T>> {
  try {
    const response = await fetch(path, { credentials: 'same-origin' });
    if (!response.ok) return { ok: false, status: response.status };
    const value = read((await response.json()) as unknown);
    return value === null ? { ok: false, status: 0 } : { ok: true, value };
  } catch {
    return { ok: false, status: 0 };
  }
}

const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null);
const arr = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export function fetchRecordings(limit = 50): Promise<ApiResult<RecordingSummary[]>> {
  return get(`/api/recordings?limit=${limit}`, (body) => (Array.isArray(obj(body)?.recordings) ? arr<RecordingSummary>(obj(body)?.recordings) : null));
}

export function fetchRecording(sessionId: string): Promise<ApiResult<RecordingDetail>> {
  return get(`/api/recordings/${encodeURIComponent(sessionId)}`, (body) => {
    const b = obj(body);
    const recording = obj(b?.recording) as RecordingDetail['recording'] | null;
    if (!b || !recording || typeof recording.sessionId !== 'string') return null;
    return { recording, markers: arr<RecordingMarker>(b.markers), chat: arr<ChatMessage>(b.chat), notes: arr<Note>(b.notes) };
  });
}

export function fetchRecordingEvents(sessionId: string): Promise<ApiResult<RecordedEvent[]>> {
  return get(`/api/recordings/${encodeURIComponent(sessionId)}/events`, (body) =>
    Array.isArray(body) ? body.filter((e): e is RecordedEvent => typeof obj(e)?.type === 'number' && typeof obj(e)?.timestamp === 'number') : null,
  );
}
