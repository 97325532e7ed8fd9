/**
 * What the encrypted bodies of `chat`, `ctl` and `ctl_result` frames hold once opened (docs/E2EE.md,
 * "Integration"): the same fields the plaintext messages carry (`chat_send`, `control_action`,
 * `control_result`), as small JSON. The relay never sees them. Who sent a body is not in it: the
 * receiver takes it from the key that opened the frame (the header's sender, authenticated).
 * Decoding validates and never throws.
 */
import * as v from 'valibot';
import { CONTROL_FAILURES, controlActionSchema } from '../control.ts';
import { MAX_CHAT_TEXT } from '../collaboration.ts';
import { encodeUtf8, type Bytes } from './bytes.ts';

export const APP_BODY_VERSION = 1;

const clientId = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const actionId = v.pipe(v.number(), v.integer(), v.minValue(0));

// Built on first use, like the pair body schema.
const build = () => ({
  chat: v.strictObject({ v: v.literal(APP_BODY_VERSION), clientId, text: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CHAT_TEXT)) }),
  ctl: v.strictObject({ v: v.literal(APP_BODY_VERSION), actionId, action: controlActionSchema }),
  ctl_result: v.strictObject({
    v: v.literal(APP_BODY_VERSION),
    actionId,
    ok: v.boolean(),
    failure: v.optional(v.picklist(CONTROL_FAILURES)),
    message: v.optional(v.pipe(v.string(), v.maxLength(200))),
  }),
});
let schemas: ReturnType<typeof build> | null = null;
const getSchemas = () => (schemas ??= build());

export type ChatBody = v.InferOutput<ReturnType<typeof build>['chat']>;
export type CtlBody = v.InferOutput<ReturnType<typeof build>['ctl']>;
export type CtlResultBody = v.InferOutput<ReturnType<typeof build>['ctl_result']>;
export type AppBodyType = 'chat' | 'ctl' | 'ctl_result';
type BodyOf<T extends AppBodyType> = T extends 'chat' ? ChatBody : T extends 'ctl' ? CtlBody : CtlResultBody;

/** The bytes to seal as the body of a frame of `type`. */
export function encodeAppBody<T extends AppBodyType>(_type: T, body: Omit<BodyOf<T>, 'v'>): Bytes {
  return encodeUtf8(JSON.stringify({ v: APP_BODY_VERSION, ...body }));
}

/** Reads an opened body of `type`; null when it is not a valid one. Never throws. */
export function decodeAppBody<T extends AppBodyType>(type: T, bytes: Uint8Array): BodyOf<T> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    const result = v.safeParse(getSchemas()[type], value);
    return result.success ? (result.output as BodyOf<T>) : null;
  } catch {
    return null;
  }
}
