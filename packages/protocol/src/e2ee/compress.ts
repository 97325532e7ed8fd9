/**
 * deflate-raw before encryption (FLAG_E2EE_DEFLATE), and a bounded inflate after decryption.
 * Without a dictionary the browser's native CompressionStream does the work (off the JS heap,
 * fast for multi-megabyte keyframes); with a preset dictionary (the DOM stream's delta window)
 * or where the native stream is missing, fflate does. Both write plain deflate-raw.
 */
import { Inflate, deflateSync } from 'fflate';
import { concatBytes, type Bytes } from './bytes.ts';

export const DEFLATE_LEVEL = 6;
/** Input slice fed to the inflater at a time: deflate expands at most ~1032:1, so one slice stays bounded. */
const INFLATE_SLICE = 16 * 1024;

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

/** Compresses `bytes` (deflate-raw). With a dictionary, the receiver must inflate with the same one. */
export async function deflateBody(bytes: Uint8Array, dictionary?: Uint8Array): Promise<Bytes> {
  if (!dictionary && hasNativeDeflateRaw()) {
    try {
      const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw' as CompressionFormat));
      return new Uint8Array(await new Response(stream).arrayBuffer());
    } catch {
      nativeWorks = false;
    }
  }
  return deflateSync(bytes, dictionary ? { level: DEFLATE_LEVEL, dictionary } : { level: DEFLATE_LEVEL }) as Bytes;
}

/**
 * Inflates deflate-raw, stopping as soon as the output would pass `maxBytes` (a verified member
 * can still send a decompression bomb). Returns null on corrupt input or when too large. Never throws.
 */
export function inflateBounded(body: Uint8Array, maxBytes: number, dictionary?: Uint8Array): Bytes | null {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let tooLarge = false;
  try {
    const inflater = new Inflate(dictionary ? { dictionary } : {});
    inflater.ondata = (chunk) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        tooLarge = true;
        throw new Error('inflated body too large');
      }
      chunks.push(chunk);
    };
    if (body.byteLength === 0) inflater.push(body, true);
    for (let offset = 0; offset < body.byteLength; offset += INFLATE_SLICE) {
      const end = Math.min(offset + INFLATE_SLICE, body.byteLength);
      inflater.push(body.subarray(offset, end), end === body.byteLength);
    }
  } catch {
    return null;
  }
  return tooLarge ? null : concatBytes(...chunks);
}
