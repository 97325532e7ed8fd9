import * as v from 'valibot';
import { clientMessageSchema, serverMessageSchema, MAX_MESSAGE_BYTES, type ClientMessage, type ServerMessage } from './messages.ts';
import type { ErrorCode } from './errors.ts';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; detail: string };

function parseJson(raw: string): DecodeResult<unknown> {
  if (raw.length > MAX_MESSAGE_BYTES) return { ok: false, code: 'frame_too_large', detail: `message of ${raw.length} chars` };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, code: 'bad_frame', detail: 'not JSON' };
  }
}

function validate<T>(schema: v.GenericSchema<unknown, T>, value: unknown): DecodeResult<T> {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const path = issue?.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, code: 'bad_frame', detail: `${path ? path + ': ' : ''}${issue?.message ?? 'invalid'}` };
}

/** Decodes a text frame sent by an SDK or console. Never throws. */
export function decodeClientMessage(raw: string): DecodeResult<ClientMessage> {
  const parsed = parseJson(raw);
  return parsed.ok ? validate(clientMessageSchema, parsed.value) : parsed;
}

/** Decodes a text frame sent by the server. Never throws. */
export function decodeServerMessage(raw: string): DecodeResult<ServerMessage> {
  const parsed = parseJson(raw);
  return parsed.ok ? validate(serverMessageSchema, parsed.value) : parsed;
}

/** Validates a server message parsed elsewhere (the SDK parses with a JSON the page cannot have broken). */
export function validateServerMessage(value: unknown): DecodeResult<ServerMessage> {
  return validate(serverMessageSchema, value);
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
