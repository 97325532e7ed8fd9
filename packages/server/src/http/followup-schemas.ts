/**
 * The schemas of "Leave a message": the visitor's public endpoints (site key), the inbox routes
 * (/api and /api/v1) and share links. Requests are validated with these; responses are documented.
 */
import * as v from 'valibot';

/** A message or reply: what the widget's field allows. */
export const MAX_FOLLOWUP_TEXT = 4000;
/** Follow-ups one browser keeps secrets for (localStorage); more are ignored. */
export const MAX_HELD_THREADS = 20;

const str = v.string();
const ms = v.number();
const msOrNull = v.nullable(v.number());
const strOrNull = v.nullable(v.string());
const id = v.pipe(v.string(), v.minLength(1), v.maxLength(64));
const text = v.pipe(v.string(), v.trim(), v.minLength(1, 'write 1 to 4000 characters'), v.maxLength(MAX_FOLLOWUP_TEXT, 'write 1 to 4000 characters'));
const identity = v.object({
  id: v.optional(v.pipe(v.string(), v.maxLength(256))),
  name: v.optional(v.pipe(v.string(), v.maxLength(200))),
  email: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

/** The visitor's requests. Text and email are checked in the handler, for their own error codes. */
export const publicBodies = {
  message: v.object({
    siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    text: v.string(),
    name: v.optional(v.pipe(v.string(), v.maxLength(200))),
    email: v.optional(v.string()),
    identity: v.optional(identity),
    page: v.object({ url: v.pipe(v.string(), v.maxLength(4096)), title: v.pipe(v.string(), v.maxLength(1024)) }),
    /** base64 of gzip-compressed rrweb events, redacted in the tab. */
    snapshot: v.optional(v.string()),
  }),
  replies: v.object({
    siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    threads: v.pipe(v.array(v.object({ id, token: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) })), v.maxLength(MAX_HELD_THREADS)),
    identity: v.optional(identity),
  }),
  seen: v.object({ siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)), id, token: v.pipe(v.string(), v.minLength(1), v.maxLength(128)) }),
  live: v.object({
    siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    id,
    token: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    code: v.pipe(v.string(), v.regex(/^\d{6}$/)),
  }),
};

export const inboxQuery = v.object({
  status: v.optional(v.picklist(['all', 'unread', 'open']), 'all'),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d+$/, 'a whole number'), v.transform(Number), v.transform((n) => Math.min(Math.max(n, 1), 500))), '100'),
});

export const inboxBodies = {
  entry: v.strictObject({ text }),
  share: v.strictObject({
    target: v.strictObject({ type: v.picklist(['session', 'message']), id }),
    /** The colleague to hand it to; absent = anyone of the team allowed to open it. */
    toUserId: v.optional(id),
    note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(2000)), ''),
  }),
};

const entry = v.object({ id: str, kind: v.picklist(['visitor', 'reply', 'note']), userId: strOrNull, authorName: str, text: str, at: ms });
const message = v.object({
  id: str,
  siteId: str,
  siteName: str,
  visitor: v.object({ id: strOrNull, name: strOrNull, email: strOrNull }),
  page: v.object({ url: str, title: str }),
  text: str,
  createdAt: ms,
  updatedAt: ms,
  readAt: msOrNull,
  repliedAt: msOrNull,
  replySeenAt: msOrNull,
  snapshotBytes: v.nullable(v.number()),
  live: v.nullable(v.object({ code: str, at: ms })),
});
const share = v.object({
  id: str,
  target: v.object({ type: v.picklist(['session', 'message']), id: str }),
  from: v.object({ userId: str, name: str }),
  toUserId: strOrNull,
  note: str,
  createdAt: ms,
  pickedUpAt: msOrNull,
  pickedUpBy: strOrNull,
});

export const inboxResponses = {
  messages: v.object({ messages: v.array(message), unread: v.number() }),
  unread: v.object({ unread: v.number() }),
  message: v.object({ message, entries: v.array(entry), allowedOrigins: v.array(str) }),
  entry: v.object({ entry }),
  share: v.object({ share, url: str }),
  shares: v.object({ shares: v.array(v.object({ ...share.entries, title: str })) }),
  shareOpened: v.object({ share, title: str, live: v.boolean(), recording: v.boolean() }),
  colleagues: v.object({ colleagues: v.array(v.object({ id: str, name: str })) }),
};
