import crypto from 'node:crypto';

/** Random, URL-safe ids with a readable prefix (`usr_…`, `ses_…`). */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;
}

export function newSecret(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** A 6-digit code from a uniform distribution (no modulo bias). */
export function newSessionCode(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}
