/**
 * Byte helpers for the e2ee modules: WebCrypto access, encodings and constant-time comparison.
 * Plain `Uint8Array<ArrayBuffer>` everywhere, because WebCrypto's BufferSource needs it.
 */
export type Bytes = Uint8Array<ArrayBuffer>;

const encoder = /* @__PURE__ */ new TextEncoder();

/** The platform's SubtleCrypto (Node 20+, and every browser on a secure origin), or null. */
export function getSubtle(): SubtleCrypto | null {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return c?.subtle ?? null;
}

/** The platform's SubtleCrypto; throws a clear error where there is none (an insecure http: page). */
export function requireSubtle(): SubtleCrypto {
  const subtle = getSubtle();
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is not available: end-to-end encryption needs a secure origin');
  return subtle;
}

export function randomBytes(length: number): Bytes {
  const out = new Uint8Array(length);
  globalThis.crypto.getRandomValues(out);
  return out;
}

export function encodeUtf8(text: string): Bytes {
  return encoder.encode(text) as Bytes;
}

export function concatBytes(...parts: Uint8Array[]): Bytes {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A copy with its own ArrayBuffer (WebCrypto wants BufferSource, not any view). */
export function copyBytes(bytes: Uint8Array): Bytes {
  return new Uint8Array(bytes) as Bytes;
}

export function encodeU16(value: number): Bytes {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value);
  return out;
}

export function encodeU32(value: number): Bytes {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** A length-prefixed (u16) string, so that concatenated fields can never be read two ways. */
export function encodeLengthPrefixed(text: string): Bytes {
  const bytes = encodeUtf8(text);
  return concatBytes(encodeU16(bytes.byteLength), bytes);
}

/** Compares in time that depends on the length only, not on where the bytes differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Parses lowercase or uppercase hex; null when it is not hex of whole bytes. */
export function fromHex(hex: string): Bytes | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 §5), written out so it behaves the same in every engine. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.byteLength; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += B64URL[a >> 2];
    out += B64URL[((a & 3) << 4) | ((b ?? 0) >> 4)];
    if (b !== undefined) out += B64URL[((b & 15) << 2) | ((c ?? 0) >> 6)];
    if (c !== undefined) out += B64URL[c & 63];
  }
  return out;
}

/** Parses unpadded base64url; null on any other character or an impossible length. */
export function fromBase64Url(text: string): Bytes | null {
  if (text.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of text) {
    value = (value << 6) | B64URL.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so each byte string has exactly one encoding.
  if ((value & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
