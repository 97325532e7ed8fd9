import { E2EE_CUSTOMER, E2EE_PAIRWISE_TYPES, E2EE_TO_GROUP, E2EE_TYPE_SENDERS, decodeE2eeHeader, type E2eeHeader, type E2eeType, type ErrorCode } from '@samepage/protocol';
import { RateLimiter } from '../rate-limiter.ts';
import { ANY_EPOCH_TYPES, E2EE_LIMITS, EPOCHS_REMEMBERED, type E2eeLimit } from './e2ee-limits.ts';

/** What the gate needs to know about the session's members right now. */
export interface E2eeMembersView {
  /** The member is in the session and connected (0 is the customer's tab). */
  has(member: number): boolean;
  /** The member is the agent holding control (the relay's control state). */
  isController(member: number): boolean;
}

export type GateVerdict = { ok: true; header: E2eeHeader } | { ok: false; code: ErrorCode; message: string };

const refuse = (code: ErrorCode, message: string): GateVerdict => ({ ok: false, code, message });

/** Which types must go to exactly one member, and which member may receive them. */
function recipientProblem(type: E2eeType, sender: number, to: number, view: E2eeMembersView): string | null {
  if (!E2EE_PAIRWISE_TYPES.has(type)) return null;
  if (to === sender) return 'A member cannot send a pairwise frame to itself.';
  if ((type === 'ctl' || type === 'vouch') && to !== E2EE_CUSTOMER) return `${type} frames go to the customer (member 0) only.`;
  if ((type === 'ctl_result' || type === 'key') && to === E2EE_CUSTOMER) return `${type} frames go to an agent.`;
  if (!view.has(to)) return `Member ${to} is not in the session.`;
  return null;
}

/**
 * Polices end-to-end encrypted frames on their cleartext header alone (docs/E2EE.md, "Relay").
 * It never looks at the body. One gate per session; `check` accepts a frame and commits its
 * epoch and sequence number, or refuses it with the error code the sender gets.
 *
 * Sequence numbers are tracked per stream (sender, epoch, to, pair or not), where `to` is 0xffff
 * for group frames: within a stream each frame's seq must be greater than the last accepted one.
 * `pair` frames carry no key, so their sender numbers them on a counter of their own: they are a
 * stream apart from the keyed frames to the same member. Per
 * (sender, to) the last EPOCHS_REMEMBERED epochs are remembered; frames of an epoch older than
 * those are refused as stale.
 */
export class E2eeGate {
  /** The customer's current epoch; -1 until its first frame. */
  epoch = -1;
  private readonly streams = new Map<string, { floor: number; seqs: Map<number, number> }>();
  private readonly rates = new Map<E2eeType, RateLimiter>();

  constructor(
    private readonly maxFrameBytes: number,
    private readonly limits: Record<E2eeType, E2eeLimit> = E2EE_LIMITS,
    now: () => number = Date.now,
  ) {
    for (const [type, limit] of Object.entries(limits) as Array<[E2eeType, E2eeLimit]>) this.rates.set(type, new RateLimiter(limit.perSecond, 1000, now));
  }

  /**
   * Checks a frame from the socket of member `sender` (0 = the customer's tab). On success the
   * epoch and seq are committed and the caller routes the frame by `header.type` and `header.to`.
   */
  check(frame: Uint8Array, sender: number, view: E2eeMembersView): GateVerdict {
    const h = decodeE2eeHeader(frame);
    if (!h) return refuse('e2ee_bad_header', 'The frame is not a well-formed end-to-end encrypted frame.');
    if (h.sender !== sender) return refuse('e2ee_sender_mismatch', `The frame says sender ${h.sender}; this connection is member ${sender}.`);
    const isCustomer = sender === E2EE_CUSTOMER;
    const allowed = E2EE_TYPE_SENDERS[h.type];
    if ((allowed === 'customer' && !isCustomer) || ((allowed === 'agent' || allowed === 'controller') && isCustomer)) {
      return refuse('e2ee_type_forbidden', `${isCustomer ? 'The customer' : 'An agent'} may not send ${h.type} frames.`);
    }
    const limit = this.limits[h.type];
    const maxBytes = limit.maxBytes === null ? this.maxFrameBytes : Math.min(limit.maxBytes, this.maxFrameBytes);
    if (frame.byteLength > maxBytes) return refuse('e2ee_frame_too_large', `A ${h.type} frame may have at most ${maxBytes} bytes; this one has ${frame.byteLength}.`);
    if (!this.rates.get(h.type)!.hit(String(sender))) return refuse('e2ee_rate_limited', `More than ${limit.perSecond} ${h.type} frames a second; this one was dropped.`);
    const recipient = recipientProblem(h.type, sender, h.to, view);
    if (recipient) return refuse('e2ee_bad_recipient', recipient);
    const epochProblem = this.epochProblem(h, isCustomer);
    if (epochProblem) return refuse('e2ee_stale_epoch', epochProblem);
    if (allowed === 'controller' && !view.isController(sender)) return refuse('e2ee_not_controller', 'The customer has not given you control; the frame was dropped.');
    const stream = this.stream(h);
    if (h.epoch < stream.floor) return refuse('e2ee_stale_epoch', `Epoch ${h.epoch} is older than this stream remembers.`);
    const last = stream.seqs.get(h.epoch);
    if (last !== undefined && h.seq <= last) return refuse('e2ee_seq_replay', `Sequence number ${h.seq} after ${last} (sender ${h.sender}, epoch ${h.epoch}, to ${h.to}).`);
    this.commit(h, stream, isCustomer);
    return { ok: true, header: h };
  }

  /** A member left: its streams go (member numbers are never reused in a session). */
  forget(member: number): void {
    const prefix = `${member}:`;
    for (const key of this.streams.keys()) if (key.startsWith(prefix)) this.streams.delete(key);
  }

  private epochProblem(h: E2eeHeader, isCustomer: boolean): string | null {
    if (ANY_EPOCH_TYPES.has(h.type)) return null;
    if (isCustomer) return h.epoch < this.epoch ? `Epoch ${h.epoch} is older than the current epoch ${this.epoch}.` : null;
    return h.epoch === this.epoch ? null : `Epoch ${h.epoch} is not the current epoch ${this.epoch}.`;
  }

  private stream(h: E2eeHeader): { floor: number; seqs: Map<number, number> } {
    // Pairing bodies are numbered on their own counter (they are not under any key), so `pair`
    // frames are a stream of their own beside the pairwise keyed ones to the same member.
    const key = `${h.sender}:${h.to === E2EE_TO_GROUP ? 'g' : h.to}${h.type === 'pair' ? ':p' : ''}`;
    let stream = this.streams.get(key);
    if (!stream) this.streams.set(key, (stream = { floor: 0, seqs: new Map() }));
    return stream;
  }

  private commit(h: E2eeHeader, stream: { floor: number; seqs: Map<number, number> }, isCustomer: boolean): void {
    stream.seqs.set(h.epoch, h.seq);
    if (stream.seqs.size > EPOCHS_REMEMBERED) {
      const oldest = Math.min(...stream.seqs.keys());
      stream.seqs.delete(oldest);
      stream.floor = Math.max(stream.floor, oldest + 1);
    }
    // The customer starts a new epoch with any frame of it, except pairing (whose body is not under the group key).
    if (isCustomer && h.type !== 'pair' && h.epoch > this.epoch) this.epoch = h.epoch;
  }
}
