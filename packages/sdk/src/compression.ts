/**
 * deflate-raw compression for the DOM stream. Keyframes are compressed on their own with the
 * browser's native CompressionStream (off the JS heap, fast); deltas share one fflate stream
 * per epoch so each change compresses against those before it (PROTOCOL.md, "DOM stream").
 */
import { Deflate, deflateSync } from 'fflate';

/** Compressed deltas: a sync flush after every frame, so each is decodable on arrival. */
export interface DeltaCompressor {
  compress(bytes: Uint8Array): Uint8Array;
}

export const DELTA_LEVEL = 6;

export function createDeltaCompressor(): DeltaCompressor {
  const deflate = new Deflate({ level: DELTA_LEVEL });
  let chunks: Uint8Array[] = [];
  deflate.ondata = (chunk) => {
    chunks.push(chunk);
  };
  return {
    compress(bytes) {
      chunks = [];
      deflate.push(bytes);
      deflate.flush();
      return concat(chunks);
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
