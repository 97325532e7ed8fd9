import crypto from 'node:crypto';

/** What a proxy token grants: fetching assets for one session of one tenant, until `expiresAt`. */
export interface AssetGrant {
  tenantId: string;
  sessionId: string;
  expiresAt: number;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function mac(secret: Buffer, body: string): string {
  return crypto.createHmac('sha256', secret).update(`asset-proxy.v1.${body}`).digest('base64url');
}

/**
 * Signs a short-lived, stateless token, so the proxy can check a request without a database
 * read and is never an open proxy. `<tenantId>.<sessionId>.<expiresAt>.<mac>`.
 *
 * @example const token = signAssetToken(secret, { tenantId, sessionId, expiresAt: Date.now() + 900_000 });
 */
export function signAssetToken(secret: Buffer, grant: AssetGrant): string {
  const body = `${grant.tenantId}.${grant.sessionId}.${grant.expiresAt}`;
  return `${body}.${mac(secret, body)}`;
}

/** The grant of a valid, unexpired token, or null. */
export function verifyAssetToken(secret: Buffer, token: string, now = Date.now()): AssetGrant | null {
  if (token.length > 300) return null;
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [tenantId, sessionId, exp, given] = parts as [string, string, string, string];
  if (!ID.test(tenantId) || !ID.test(sessionId) || !/^\d{1,15}$/.test(exp)) return null;
  const expected = Buffer.from(mac(secret, `${tenantId}.${sessionId}.${exp}`));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected)) return null;
  const expiresAt = Number(exp);
  if (expiresAt <= now) return null;
  return { tenantId, sessionId, expiresAt };
}
