import { inflateRawSync } from 'node:zlib';
import { DeltaWindow } from '@samepage/protocol';
import type { Page, WebSocket } from 'playwright-core';

// Mirrors packages/protocol/src/dom-frame.ts. Restated here on purpose: the tap must read the
// bytes the way a stranger on the wire would, not through the code under test.
const DOM_FRAME_KIND = 0x01;
const FLAG_KEYFRAME = 0x01;
const FLAG_DEFLATE = 0x02;
const HEADER_BYTES = 12;

export interface SocketLog {
  url: string;
  texts: string[];
  binaries: Buffer[];
}

export interface DecodedFrames {
  /** Every text frame, then every decompressed DOM payload, as UTF-8 text. */
  texts: string[];
  /** Every string leaf of every JSON document in `texts` (keys included). */
  strings: string[];
  /** Frames the tap could not read. A secret could hide in them, so tests expect none. */
  errors: string[];
  keyframes: number;
  deltas: number;
  /** Each keyframe the tap could read: its epoch (frame header) and decompressed payload. */
  keyframePayloads: Array<{ epoch: number; text: string }>;
}

export interface FrameTap {
  /** How many sockets the page opened (a page load opens a new one). */
  readonly socketCount: number;
  readonly textFrameCount: number;
  readonly binaryFrameCount: number;
  decode(): DecodedFrames;
  /**
   * Describes every place a secret shows up, in any encoding; empty when there is none.
   * Meant for secrets of 8 or more characters: a short one (a CVC) also matches timestamps
   * and ids by chance, so look for it among `decode().strings` instead.
   */
  findLeaks(secrets: readonly string[]): string[];
}

/**
 * Records every WebSocket frame the page sends, across page loads, as the server receives
 * them. Attach it before the first `goto`.
 *
 * @example
 *   const tap = tapSentFrames(page);
 *   // ... drive the page ...
 *   assert.deepEqual(tap.findLeaks(['hunter2']), []);
 */
export function tapSentFrames(page: Page): FrameTap {
  const sockets: SocketLog[] = [];
  page.on('websocket', (ws: WebSocket) => {
    const log: SocketLog = { url: ws.url(), texts: [], binaries: [] };
    sockets.push(log);
    ws.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') log.texts.push(payload);
      else log.binaries.push(Buffer.from(payload));
    });
  });
  return frameTapOf(sockets);
}

/**
 * A tap over frames recorded some other way (e.g. on the server's side of the socket, for
 * browsers without CDP: e2e/support/engines/server-tap.ts). `sockets` may keep growing.
 */
export function frameTapOf(sockets: SocketLog[]): FrameTap {
  return {
    get socketCount() {
      return sockets.length;
    },
    get textFrameCount() {
      return sockets.reduce((n, s) => n + s.texts.length, 0);
    },
    get binaryFrameCount() {
      return sockets.reduce((n, s) => n + s.binaries.length, 0);
    },
    decode: () => decodeSockets(sockets),
    findLeaks: (secrets) => findLeaks(sockets, secrets),
  };
}

function decodeSockets(sockets: SocketLog[]): DecodedFrames {
  const out: DecodedFrames = { texts: [], strings: [], errors: [], keyframes: 0, deltas: 0, keyframePayloads: [] };
  for (const socket of sockets) {
    out.texts.push(...socket.texts);
    decodeDomFrames(socket, out);
  }
  for (const text of out.texts) collectStrings(text, out.strings);
  return out;
}

/**
 * Keyframes are standalone deflate-raw; the deltas of one epoch are one deflate-raw stream,
 * sync-flushed per frame. Epochs are per socket, since a new page load may restart numbering.
 */
function decodeDomFrames(socket: SocketLog, out: DecodedFrames): void {
  // Decoded with node:zlib, independently of the SDK's and console's fflate: a keyframe alone,
  // then each delta with the epoch's rolling window as preset dictionary (protocol DeltaWindow).
  let window: DeltaWindow | null = null;
  let epochOfWindow = -1;
  socket.binaries.forEach((frame, index) => {
    const where = `${socket.url} binary frame #${index}`;
    if (frame.byteLength < HEADER_BYTES || frame.readUInt8(0) !== DOM_FRAME_KIND) {
      out.errors.push(`${where}: not a DOM frame`);
      return;
    }
    const flags = frame.readUInt8(1);
    const epoch = frame.readUInt32BE(4);
    const payload = frame.subarray(HEADER_BYTES);
    const keyframe = (flags & FLAG_KEYFRAME) !== 0;
    if (keyframe) out.keyframes++;
    else out.deltas++;
    if (!keyframe && (window === null || epoch !== epochOfWindow)) {
      out.errors.push(`${where}: delta of epoch ${epoch} with no keyframe before it`);
      return;
    }
    let text: Buffer;
    try {
      if ((flags & FLAG_DEFLATE) === 0) text = payload;
      else if (keyframe) text = inflateRawSync(payload);
      else {
        const dictionary = window?.dictionary();
        text = inflateRawSync(payload, dictionary ? { dictionary } : {});
      }
    } catch (error) {
      out.errors.push(`${where}: ${(error as Error).message}`);
      if (!keyframe) window = null;
      return;
    }
    if (keyframe) {
      window = new DeltaWindow();
      epochOfWindow = epoch;
      out.keyframePayloads.push({ epoch, text: text.toString('utf8') });
    }
    window?.append(text);
    out.texts.push(text.toString('utf8'));
  });
}

function collectStrings(text: string, into: string[]): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    into.push(text);
    return;
  }
  const walk = (v: unknown): void => {
    if (typeof v === 'string') into.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        into.push(key);
        walk(child);
      }
    }
  };
  walk(value);
}

/** The forms a secret may take on the wire besides its plain UTF-8 bytes. */
export function encodingsOf(secret: string): Map<string, string> {
  const forms = new Map<string, string>([
    ['plain', secret],
    ['json-escaped', JSON.stringify(secret).slice(1, -1)],
    ['percent-encoded', encodeURIComponent(secret)],
    ['form-encoded', encodeURIComponent(secret).replace(/%20/g, '+')],
  ]);
  // Base64 depends on where the secret starts within a 3-byte group: try all three.
  const bytes = Buffer.from(secret, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const start = shift === 0 ? 0 : Math.ceil((shift * 4) / 3);
    const end = Math.floor(((shift + bytes.length) * 4) / 3);
    const core = encoded.slice(start, end);
    if (core.length >= 4) {
      forms.set(`base64@${shift}`, core);
      forms.set(`base64url@${shift}`, core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return forms;
}

function findLeaks(sockets: SocketLog[], secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  const decoded = decodeSockets(sockets);
  const haystacks: Array<[string, Buffer | string]> = [];
  for (const socket of sockets) {
    socket.texts.forEach((t, i) => haystacks.push([`${socket.url} text frame #${i}`, t]));
    socket.binaries.forEach((b, i) => haystacks.push([`${socket.url} raw binary frame #${i}`, b]));
  }
  decoded.texts.forEach((t, i) => haystacks.push([`decoded payload #${i}`, t]));
  for (const secret of secrets) {
    for (const [form, needle] of encodingsOf(secret)) {
      for (const [where, hay] of haystacks) {
        if (hay.includes(needle)) leaks.push(`"${secret}" (${form}) in ${where}`);
      }
    }
  }
  return leaks;
}
