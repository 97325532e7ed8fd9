/** Chat and drawing: shared by the customer's widget and every agent. */
import * as v from 'valibot';

const coord = v.pipe(v.number(), v.finite(), v.minValue(-1e7), v.maxValue(1e7));
const point = v.tuple([coord, coord]);
const color = v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/));
const shapeId = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

export const MAX_CHAT_TEXT = 4000;

export const chatMessageSchema = v.object({
  /** Position in the session's chat, from 1, without gaps. */
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  id: v.string(),
  /** The sender's own id for the message, so a resend after a reconnect is not stored twice. */
  clientId: v.string(),
  from: v.object({ participantId: v.string(), name: v.string(), role: v.picklist(['host', 'agent', 'guest']) }),
  text: v.string(),
  at: v.number(),
  /** Stored from an end-to-end encrypted session: `text` is the base64 of the encrypted frame, unreadable to the server. */
  encrypted: v.optional(v.boolean()),
});
export type ChatMessage = v.InferOutput<typeof chatMessageSchema>;

/** Drawing ops are in the customer's document coordinates, so they stay on the content when it scrolls. */
export const drawOpSchema = v.variant('kind', [
  /** A laser trail: shown briefly, then fades. Not kept. */
  v.object({ kind: v.literal('laser'), points: v.pipe(v.array(point), v.maxLength(256)) }),
  v.object({ kind: v.literal('stroke'), id: shapeId, color, points: v.pipe(v.array(point), v.maxLength(4096)) }),
  v.object({ kind: v.literal('rect'), id: shapeId, color, x: coord, y: coord, width: coord, height: coord }),
  v.object({ kind: v.literal('clear') }),
]);
export type DrawOp = v.InferOutput<typeof drawOpSchema>;
