/**
 * The cleartext header of an end-to-end encrypted frame (see docs/E2EE.md). The relay routes and
 * polices on this header alone; the body after it is AES-256-GCM ciphertext (or, for pairing
 * messages, a public cleartext body) that only the customer's tab and verified agents can read.
 *
 * Layout (big-endian), 20 bytes, then `len` bytes of body:
 *   0  u8   kind     = E2EE_FRAME_KIND (DOM frames of unencrypted sessions use 0x01)
 *   1  u8   version  = E2EE_VERSION
 *   2  u8   type     one of E2EE_TYPES: what the body is, and so who may send it
 *   3  u8   flags    FLAG_E2EE_ENCRYPTED | FLAG_E2EE_DEFLATE (compressed before encryption)
 *   4  u32  epoch    the group key generation chosen by the customer; never reused in a session
 *   8  u16  sender   the sender's member number (0 is the customer's tab; the relay assigns agents theirs)
 *  10  u16  to       a member number for pairwise frames, or E2EE_TO_GROUP for everyone
 *  12  u32  seq      increases by one per frame of this sender under one key
 *  16  u32  len      body length in bytes; the frame is exactly 20 + len bytes
 *
 * The header bytes, followed by the UTF-8 session id, are the additional authenticated data of
 * the body, so the relay can read every header field but cannot change one unnoticed.
 */
export const E2EE_FRAME_KIND = 0x02;
export const E2EE_VERSION = 1;
export const E2EE_HEADER_BYTES = 20;
export const E2EE_TO_GROUP = 0xffff;
export const E2EE_CUSTOMER = 0;
export const FLAG_E2EE_ENCRYPTED = 0x01;
export const FLAG_E2EE_DEFLATE = 0x02;

/** Body types. The relay enforces who may send each (see `E2EE_TYPE_SENDERS`). */
export const E2EE_TYPES = {
  /** A full snapshot of the page: starts an epoch's DOM stream. Customer to group. */
  dom_keyframe: 0x01,
  /** DOM changes after the keyframe of the same epoch. Customer to group. */
  dom_delta: 0x02,
  /** A chat message. Any member to group. */
  chat: 0x10,
  /** A control action (click, typing, scroll, navigation). The agent holding control, to the customer, pairwise key. */
  ctl: 0x20,
  /** The result of a control action. Customer to one agent, pairwise key. */
  ctl_result: 0x21,
  /** A group epoch key, wrapped under the pairwise key. Customer to one agent. */
  key: 0x30,
  /** A verified agent vouching for another agent's key. Agent to customer, pairwise key. */
  vouch: 0x31,
  /** Pairing: commitment, public keys, reveal and confirmation. Public body, not encrypted. Either way, one member. */
  pair: 0x40,
} as const;

export type E2eeType = keyof typeof E2EE_TYPES;

/** Who may send each type: the customer's tab, any agent, or only the agent holding control. */
export const E2EE_TYPE_SENDERS: Record<E2eeType, 'customer' | 'agent' | 'controller' | 'member'> = {
  dom_keyframe: 'customer',
  dom_delta: 'customer',
  chat: 'member',
  ctl: 'controller',
  ctl_result: 'customer',
  key: 'customer',
  vouch: 'agent',
  pair: 'member',
};

/** Types addressed to one member; the others go to the whole group. */
export const E2EE_PAIRWISE_TYPES: ReadonlySet<E2eeType> = new Set(['ctl', 'ctl_result', 'key', 'vouch', 'pair']);

export interface E2eeHeader {
  type: E2eeType;
  flags: number;
  epoch: number;
  sender: number;
  to: number;
  seq: number;
  len: number;
}

const TYPE_BY_CODE = new Map<number, E2eeType>(Object.entries(E2EE_TYPES).map(([name, code]) => [code, name as E2eeType]));

export function encodeE2eeHeader(header: E2eeHeader): Uint8Array {
  const out = new Uint8Array(E2EE_HEADER_BYTES);
  const view = new DataView(out.buffer);
  view.setUint8(0, E2EE_FRAME_KIND);
  view.setUint8(1, E2EE_VERSION);
  view.setUint8(2, E2EE_TYPES[header.type]);
  view.setUint8(3, header.flags);
  view.setUint32(4, header.epoch >>> 0);
  view.setUint16(8, header.sender);
  view.setUint16(10, header.to);
  view.setUint32(12, header.seq >>> 0);
  view.setUint32(16, header.len >>> 0);
  return out;
}

/** Reads and checks the header of a whole frame. Returns null when the frame is not a well-formed E2EE frame. Never throws. */
export function decodeE2eeHeader(frame: Uint8Array): E2eeHeader | null {
  if (frame.byteLength < E2EE_HEADER_BYTES) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint8(0) !== E2EE_FRAME_KIND || view.getUint8(1) !== E2EE_VERSION) return null;
  const type = TYPE_BY_CODE.get(view.getUint8(2));
  const flags = view.getUint8(3);
  if (!type || (flags & ~(FLAG_E2EE_ENCRYPTED | FLAG_E2EE_DEFLATE)) !== 0) return null;
  const len = view.getUint32(16);
  if (frame.byteLength !== E2EE_HEADER_BYTES + len) return null;
  const to = view.getUint16(10);
  if (E2EE_PAIRWISE_TYPES.has(type) === (to === E2EE_TO_GROUP)) return null;
  // Only pairing bodies travel in the clear.
  if ((type === 'pair') === ((flags & FLAG_E2EE_ENCRYPTED) !== 0)) return null;
  return { type, flags, epoch: view.getUint32(4), sender: view.getUint16(8), to, seq: view.getUint32(12), len };
}

export function e2eeBody(frame: Uint8Array): Uint8Array {
  return frame.subarray(E2EE_HEADER_BYTES);
}
