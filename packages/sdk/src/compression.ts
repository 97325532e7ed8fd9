/**
 * deflate-raw compression for the DOM stream. Keyframes are compressed on their own with the
 * browser's native CompressionStream (off the JS heap, fast). Each delta is compressed on its
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

/** One per epoch, seeded with the keyframe's uncompressed payload. */
export function createDeltaCompressor(keyframe: Uint8Array): DeltaCompressor {
  const window = new DeltaWindow();
  window.append(keyframe);
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

/** Compresses a keyframe standalone (deflate-raw), natively when the browser can. */
export async function compressStandalone(bytes: Uint8Array): Promise<Uint8Array> {
  if (hasNativeDeflateRaw()) {
    try {
      const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw' as CompressionFormat));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch {
      nativeWorks = false;
    }
  }
  return deflateSync(bytes, { level: DELTA_LEVEL });
}
