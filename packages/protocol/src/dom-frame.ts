/**
 * Binary frames carry the DOM stream from the host to viewers. The server reads the header
 * only and forwards the same bytes to every viewer; the payload stays opaque to it.
 *
 * Layout (big-endian), 12 bytes, then the payload:
 *   0  u8   kind    = DOM_FRAME_KIND
 *   1  u8   flags   (FLAG_KEYFRAME | FLAG_DEFLATE)
 *   2  u16  reserved, 0
 *   4  u32  epoch   one compression context: a keyframe starts it, deltas continue it
 *   8  u32  seq     increases by one per frame within the session
 *
 * A keyframe's payload is compressed on its own (deflate-raw). Each delta is compressed on its
 * own too, with the epoch's rolling window as preset dictionary (see delta-window.ts), so a
 * viewer must inflate every delta of the epoch in order, starting right after the keyframe.
 * After decompression a keyframe's payload is a UTF-8 JSON array of rrweb events, a delta's the
 * compact batch of event-batch.ts (`parseEventBatch` reads both).
 */
export const DOM_FRAME_KIND = 0x01;
export const FLAG_KEYFRAME = 0x01;
export const FLAG_DEFLATE = 0x02;
export const DOM_HEADER_BYTES = 12;

/** Largest binary frame accepted by default (a keyframe of a very large page). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface DomFrameHeader {
  flags: number;
  epoch: number;
  seq: number;
}

export function encodeDomFrame(header: DomFrameHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(DOM_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, DOM_FRAME_KIND);
  view.setUint8(1, header.flags);
  view.setUint16(2, 0);
  view.setUint32(4, header.epoch >>> 0);
  view.setUint32(8, header.seq >>> 0);
  out.set(payload, DOM_HEADER_BYTES);
  return out;
}

/** Reads the header of a binary frame. Returns null when it is not a valid DOM frame. */
export function decodeDomFrameHeader(frame: Uint8Array): DomFrameHeader | null {
  if (frame.byteLength < DOM_HEADER_BYTES) return null;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint8(0) !== DOM_FRAME_KIND) return null;
  const flags = view.getUint8(1);
  if ((flags & ~(FLAG_KEYFRAME | FLAG_DEFLATE)) !== 0) return null;
  if (view.getUint16(2) !== 0) return null;
  return { flags, epoch: view.getUint32(4), seq: view.getUint32(8) };
}

export function domFramePayload(frame: Uint8Array): Uint8Array {
  return frame.subarray(DOM_HEADER_BYTES);
}

export function isKeyframe(header: DomFrameHeader): boolean {
  return (header.flags & FLAG_KEYFRAME) !== 0;
}
