import type { FastifyReply } from 'fastify';
import * as v from 'valibot';
import { PERMISSIONS } from '@samepage/protocol';
import { EVENT_TYPES } from '../relay/events.ts';
import { sendError } from './errors.ts';

const name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(120));
const roleKey = v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{1,39}$/, 'a role key is 2-40 lowercase letters, digits or _'));
const selectorList = v.pipe(v.array(v.pipe(v.string(), v.maxLength(500))), v.maxLength(100));
const origin = v.pipe(
  v.string(),
  v.check((s) => s === 'self' || /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?$/i.test(s), 'an origin is like https://shop.example.com, https://*.example.com or self'),
);

const count = (max: number, fallback: number) =>
  v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'a whole number'), v.transform(Number), v.transform((n) => Math.min(Math.max(n, 1), max))), String(fallback));
const epochMs = v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'milliseconds since 1970'), v.transform(Number)));
const webhookUrl = v.pipe(v.string(), v.maxLength(2000), v.url('a webhook URL is an http(s) URL'));
const eventList = v.pipe(v.array(v.picklist(EVENT_TYPES)), v.minLength(1));

/** A site's widget theme, as the console edits it (the relay sends it to hosts as policy.theme). */
export const siteThemeBody = v.strictObject({
  brandColor: v.optional(v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/i, 'a brand colour is like #1a73e8'))),
  logoUrl: v.optional(v.pipe(v.string(), v.maxLength(2048), v.url('a logo URL is an http(s) URL'), v.regex(/^https?:\/\//i, 'a logo URL is an http(s) URL'))),
  position: v.optional(v.picklist(['bottom-right', 'bottom-left', 'top-right', 'top-left'])),
  mode: v.optional(v.picklist(['light', 'dark', 'auto'])),
  /** Customer-facing texts to use instead of the SDK's, by key (see packages/sdk/src/i18n/en.ts). */
  text: v.optional(
    v.pipe(
      v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(64)), v.pipe(v.string(), v.maxLength(200))),
      v.check((r) => Object.keys(r).length <= 50, 'a theme has at most 50 texts'),
    ),
  ),
});

const siteSchema = v.strictObject({
  name,
  allowedOrigins: v.pipe(v.array(origin), v.minLength(1), v.maxLength(50)),
  redaction: v.optional(v.strictObject({ redact: selectorList, block: selectorList, allow: selectorList })),
  policy: v.optional(
    v.strictObject({
      controlRoles: v.optional(v.array(roleKey)),
      allowNavigation: v.optional(v.boolean()),
      allowGuests: v.optional(v.boolean()),
      recordSessions: v.optional(v.boolean()),
      allowCustomerStart: v.optional(v.boolean()),
      /** End-to-end encryption for new sessions of the site (docs/E2EE.md). */
      e2ee: v.optional(v.boolean()),
      /** The widget theme; replaces the saved theme as a whole (null removes it). */
      theme: v.optional(v.nullable(siteThemeBody)),
    }),
  ),
});

/** Query strings: validated, and documented in the OpenAPI file, like the bodies. */
export const queries = {
  sessions: v.object({
    limit: count(500, 50),
    status: v.optional(v.picklist(['live', 'ended'])),
    site: v.optional(v.pipe(v.string(), v.maxLength(100))),
    from: epochMs,
    to: epochMs,
  }),
  audit: v.object({
    action: v.optional(v.pipe(v.string(), v.maxLength(100))),
    actor: v.optional(v.pipe(v.string(), v.maxLength(100))),
    session: v.optional(v.pipe(v.string(), v.maxLength(100))),
    from: epochMs,
    to: epochMs,
    limit: count(10_000, 500),
    format: v.optional(v.picklist(['csv', 'json'])),
  }),
};

/** The request bodies of the admin API; the same schemas validate requests and document them. */
export const schemas = {
  note: v.strictObject({ text: v.pipe(v.string(), v.trim(), v.minLength(1, 'a note is 1 to 10000 characters'), v.maxLength(10_000, 'a note is 1 to 10000 characters')) }),
  createToken: v.strictObject({ name, permissions: v.pipe(v.array(v.picklist(PERMISSIONS)), v.minLength(1)) }),
  createWebhook: v.strictObject({ url: webhookUrl, events: eventList }),
  updateWebhook: v.strictObject({ url: v.optional(webhookUrl), events: v.optional(eventList), disabled: v.optional(v.boolean()) }),
  createUser: v.strictObject({
    email: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.email(), v.maxLength(200)),
    name,
    role: roleKey,
    password: v.pipe(v.string(), v.minLength(10, 'a password has at least 10 characters'), v.maxLength(200)),
  }),
  updateUser: v.strictObject({
    name: v.optional(name),
    role: v.optional(roleKey),
    disabled: v.optional(v.boolean()),
    password: v.optional(v.pipe(v.string(), v.minLength(10), v.maxLength(200))),
  }),
  createRole: v.strictObject({ key: roleKey, title: name, permissions: v.array(v.picklist(PERMISSIONS)) }),
  updateRole: v.strictObject({ title: v.optional(name), permissions: v.optional(v.array(v.picklist(PERMISSIONS))) }),
  site: siteSchema,
  sitePatch: v.partial(siteSchema),
  retention: v.strictObject({
    sessionsDays: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
    chatDays: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
    auditDays: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
    recordingsDays: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3650))),
  }),
};

/** Validates a body; answers 400 invalid_request naming the field, and returns null, when it is wrong. */
export function parseBody<T extends v.GenericSchema>(schema: T, body: unknown, reply: FastifyReply): v.InferOutput<T> | null {
  const result = v.safeParse(schema, body ?? {});
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue?.path?.map((p) => String(p.key)).join('.');
  sendError(reply, 'invalid_request', `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`);
  return null;
}
