/**
 * Replaying an end-to-end encrypted recording in the tenant's own browser (docs/E2EE.md,
 * "Recordings"). The server returns the ciphertext frames as the customer's tab sent them and
 * each epoch secret wrapped to the tenant's recording key (GET /api/recordings/:id/encrypted).
 * With the private key from the tenant's key file (in memory only) each wrapped secret is
 * unwrapped, each frame opened under its epoch's group key (sender 0, the customer's tab), and
 * the DOM frames inside turned into rrweb events the way the server does it for unencrypted
 * recordings (server recording-events.ts): inflated in order, timestamps moved onto the server's
 * clock by one offset, never going backwards. Frames that do not open are skipped; the stream
 * resynchronises at the next keyframe.
 */
import {
  DomStreamInflater,
  E2EE_CUSTOMER,
  Keyring,
  decodeE2eeHeader,
  parseEventBatch,
  unwrapEpochSecret,
  type LoadedRecordingKey,
} from '@samepage/protocol';
import type { ApiResult } from '../api-sessions.ts';
import type { RecordedEvent, RecordingMarker } from '../api-recordings.ts';

export interface EncryptedRecording {
  sessionId: string;
  frames: Array<{ seq: number; at: number; bytes: Uint8Array }>;
  keys: Array<{ epoch: number; wrapped: string }>;
}

export type DecryptedRecording =
  | { ok: true; events: RecordedEvent[]; markers: RecordingMarker[]; epochs: number; frames: number; unopened: number }
  | { ok: false; reason: 'no_keys' | 'wrong_key' };

const META = 4;

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** GET /api/recordings/:id/encrypted: the ciphertext frames and the wrapped epoch keys. */
export async function fetchEncryptedRecording(sessionId: string): Promise<ApiResult<EncryptedRecording>> {
  try {
    const response = await fetch(`/api/recordings/${encodeURIComponent(sessionId)}/encrypted`, { credentials: 'same-origin' });
    if (!response.ok) return { ok: false, status: response.status };
    const body = (await response.json()) as unknown;
    if (!isObject(body) || !Array.isArray(body.frames) || !Array.isArray(body.keys)) return { ok: false, status: 0 };
    const frames = body.frames.filter((f): f is { seq: number; at: number; bytes: string } => isObject(f) && typeof f.at === 'number' && typeof f.bytes === 'string');
    const keys = body.keys.filter((k): k is { epoch: number; wrapped: string } => isObject(k) && typeof k.epoch === 'number' && typeof k.wrapped === 'string');
    return { ok: true, value: { sessionId, frames: frames.map((f) => ({ seq: f.seq, at: f.at, bytes: fromBase64(f.bytes) })), keys } };
  } catch {
    return { ok: false, status: 0 };
  }
}

/** Every Meta event whose URL differs from the one before: page loads and navigations (the server cannot see them). */
function navigationMarkers(events: readonly RecordedEvent[]): RecordingMarker[] {
  const markers: RecordingMarker[] = [];
  let href: string | null = null;
  for (const event of events) {
    if (event.type !== META) continue;
    const next = isObject(event.data) ? event.data.href : undefined;
    if (typeof next !== 'string' || next === href) continue;
    if (href !== null) markers.push({ kind: 'navigation', at: event.timestamp, label: next, detail: { url: next } });
    href = next;
  }
  return markers;
}

/**
 * Decrypts a whole recording with the tenant's key. `wrong_key` when no wrapped key opens with
 * it (a recording made for another key), `no_keys` when the tab uploaded none.
 */
export async function decryptRecording(recording: EncryptedRecording, key: LoadedRecordingKey): Promise<DecryptedRecording> {
  if (recording.keys.length === 0) return { ok: false, reason: 'no_keys' };
  const keyring = new Keyring();
  let epochs = 0;
  for (const { epoch, wrapped } of recording.keys) {
    const secret = await unwrapEpochSecret(key.privateKey, key.publicKey, recording.sessionId, epoch, wrapped);
    if (!secret) continue;
    if (await keyring.addEpoch({ epoch, secret, reason: 'received', createdAt: 0 }, recording.sessionId)) epochs++;
    secret.fill(0);
  }
  if (epochs === 0) return { ok: false, reason: 'wrong_key' };

  const inflater = new DomStreamInflater();
  const events: RecordedEvent[] = [];
  let offset: number | null = null;
  let last = 0;
  let unopened = 0;
  for (const frame of recording.frames) {
    const header = decodeE2eeHeader(frame.bytes);
    if (!header || header.sender !== E2EE_CUSTOMER || (header.type !== 'dom_keyframe' && header.type !== 'dom_delta')) {
      unopened++;
      continue;
    }
    const opened = await keyring.open(frame.bytes, { inflate: false });
    if (!opened.ok) {
      unopened++;
      continue;
    }
    const inflated = inflater.inflate(opened.plaintext);
    const batch = inflated.ok ? parseEventBatch(inflated.payload) : null;
    if (!batch) {
      unopened++;
      continue;
    }
    const valid = batch.filter((e) => isObject(e) && typeof e.type === 'number' && typeof e.timestamp === 'number');
    if (valid.length === 0) continue;
    offset ??= frame.at - Math.max(...valid.map((e) => e.timestamp));
    for (const event of valid) {
      last = Math.max(last, Math.round(event.timestamp + offset));
      events.push({ ...event, data: event.data, timestamp: last });
    }
  }
  return { ok: true, events, markers: navigationMarkers(events), epochs, frames: recording.frames.length, unopened };
}
