/**
 * deflate-raw compression for the DOM stream. Keyframes are compressed on their own with the
 * browser's native CompressionStream (native code, fed in chunks). Each delta is compressed on its
 * own with the epoch's rolling window as preset dictionary, so changes compress against those
 * before them and every frame decodes on arrival (PROTOCOL.md, "DOM stream"). A streaming
 * deflate with sync flushes would do the same, but fflate's flush does not flush every byte.
 */
import { deflateSync } from 'fflate';
import { DeltaWindow } from '@samepage/protocol';

export interface DeltaCompressor {
  compress(bytes: Uint8Array): Uint8Array;
}

export const DELTA_LEVEL = 6;

/** One per epoch, seeded with the keyframe's uncompressed payload (in the chunks it was built in). */
export function createDeltaCompressor(keyframe: readonly Uint8Array[]): DeltaCompressor {
  const window = new DeltaWindow();
  for (const chunk of keyframe) window.append(chunk);
  return {
    compress(bytes) {
      const out = deflateSync(bytes, { level: DELTA_LEVEL, dictionary: window.dictionary() });
      window.append(bytes);
      return out;
    },
  };
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  let length = 0;
  for (const c of chunks) length += c.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

let nativeWorks: boolean | undefined;

function hasNativeDeflateRaw(): boolean {
  if (nativeWorks !== undefined) return nativeWorks;
  try {
    new CompressionStream('deflate-raw' as CompressionFormat);
    nativeWorks = true;
  } catch {
    nativeWorks = false;
  }
  return nativeWorks;
}

/**
 * Compresses a keyframe standalone (deflate-raw), natively when the browser can. The chunks are
 * written one at a time, so the page runs between them; fflate (the fallback) does it in one go.
 */
export async function compressStandalone(chunks: readonly Uint8Array[]): Promise<Uint8Array> {
  if (hasNativeDeflateRaw()) {
    try {
      const stream = new CompressionStream('deflate-raw' as CompressionFormat);
      const output = new Response(stream.readable).arrayBuffer();
      output.catch(() => undefined); // a failed write rejects it too; handled below
      const writer = stream.writable.getWriter();
      for (const chunk of chunks) await writer.write(chunk as BufferSource);
      await writer.close();
      return new Uint8Array(await output);
    } catch {
      nativeWorks = false;
    }
  }
  return deflateSync(concat([...chunks]), { level: DELTA_LEVEL });
}
