/**
 * The binary messages on a node's channel (cluster.ts): DOM frames for some of the node's
 * connections, a console's frame up to the session's home, and a late joiner's snapshot. Each
 * starts with a kind byte, the number of connection ids, then each id (a length byte and latin1).
 */

export const FRAME_KIND = 0x01;
/** A binary frame from a console on another node to the session's home: an encrypted frame (docs/E2EE.md). */
export const UP_FRAME_KIND = 0x02;
/** The late-join cache for one viewer on another node, in one message: its node sends it as a snapshot. */
export const SNAPSHOT_KIND = 0x03;

export function encodeFrames(conns: string[], frame: Uint8Array): Buffer {
  const ids = conns.map((c) => Buffer.from(c, 'latin1'));
  const head = Buffer.alloc(2 + ids.reduce((n, id) => n + 1 + id.length, 0));
  head[0] = FRAME_KIND;
  head[1] = ids.length;
  let at = 2;
  for (const id of ids) {
    head[at] = id.length;
    id.copy(head, at + 1);
    at += 1 + id.length;
  }
  return Buffer.concat([head, frame]);
}

export function decodeFrames(payload: Buffer): { conns: string[]; frame: Uint8Array } {
  const count = payload[1] ?? 0;
  const conns: string[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    const len = payload[at] ?? 0;
    conns.push(payload.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  return { conns, frame: payload.subarray(at) };
}

/** Frames as one body: each is a 4-byte length, then its bytes. */
export function joinFrames(frames: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const frame of frames) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(frame.byteLength);
    parts.push(len, frame);
  }
  return Buffer.concat(parts);
}

export function splitFrames(body: Uint8Array): Uint8Array[] {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const frames: Uint8Array[] = [];
  for (let at = 0; at + 4 <= bytes.length; ) {
    const len = bytes.readUInt32BE(at);
    frames.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return frames;
}
