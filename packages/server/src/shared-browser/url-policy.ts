import dns from 'node:dns/promises';
import net from 'node:net';
import { isPrivateAddress } from '../webhooks/private-address.ts';

/** A tenant's URL patterns for "Open a website" (tenant settings JSON, `sharedBrowser`). */
export interface UrlPatterns {
  allow: string[];
  block: string[];
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; code: 'invalid_request' | 'url_not_allowed'; reason: string };

export type Lookup = (host: string) => Promise<string[]>;

export const dnsLookupAll: Lookup = async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Glob patterns: `*` matches any run of characters. A pattern with `://` is matched against the
 * whole URL (`https://*.example.com/*`); one without is matched against the host name only
 * (`*.example.com`, `intranet.corp`). Case-insensitive.
 */
export function matchesPattern(url: URL, pattern: string): boolean {
  const p = pattern.trim();
  if (!p) return false;
  const subject = p.includes('://') ? url.href : url.hostname;
  const re = new RegExp('^' + p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(subject);
}

/** The tenant's list: a blocked pattern always wins; a non-empty allowlist must match. */
export function checkPatterns(url: URL, patterns: UrlPatterns): string | null {
  const blocked = patterns.block.find((p) => matchesPattern(url, p));
  if (blocked) return `This address is blocked by your organisation's list (${blocked}).`;
  if (patterns.allow.length > 0 && !patterns.allow.some((p) => matchesPattern(url, p))) return "This address is not on your organisation's list of allowed websites.";
  return null;
}

/**
 * Which addresses the shared browser may connect to. `lookup` and `isPrivate` are seams for tests
 * (a resolver that answers what the test needs; a loopback address that counts as public).
 */
export interface AddressPolicy {
  allowPrivate: boolean;
  lookup?: Lookup;
  isPrivate?: (ip: string) => boolean;
}

export type Resolved = { ok: true; addresses: string[] } | { ok: false; reason: string };

/**
 * Resolves a host once and checks every address it got: all must be public (no loopback,
 * private, link-local, unique-local, CGNAT, multicast) unless the operator allows private ones.
 * The egress proxy connects to one of exactly these addresses, so what was checked is what is
 * reached (no DNS rebinding between the check and the connection).
 */
export async function resolveChecked(hostname: string, policy: AddressPolicy): Promise<Resolved> {
  const host = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : await (policy.lookup ?? dnsLookupAll)(host);
  } catch {
    return { ok: false, reason: `The host ${host} cannot be resolved.` };
  }
  if (addresses.length === 0) return { ok: false, reason: `The host ${host} cannot be resolved.` };
  const isPrivate = policy.isPrivate ?? isPrivateAddress;
  if (!policy.allowPrivate && addresses.some(isPrivate)) return { ok: false, reason: `${host} is a private or loopback address; the shared browser may only open public websites.` };
  return { ok: true, addresses };
}

/** SSRF check of a URL's host (the URL the agent types, and each navigation target). */
export async function checkHost(url: URL, policy: AddressPolicy): Promise<string | null> {
  const resolved = await resolveChecked(url.hostname, policy);
  return resolved.ok ? null : resolved.reason;
}

/** Everything a URL must pass before the shared browser is sent there: scheme, credentials, the tenant's list, SSRF. */
export async function checkOpenUrl(raw: string, patterns: UrlPatterns, policy: AddressPolicy): Promise<UrlVerdict> {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim()) ? raw.trim() : `https://${raw.trim()}`);
  } catch {
    return { ok: false, code: 'invalid_request', reason: 'That is not a website address.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, code: 'invalid_request', reason: 'Only http and https addresses can be opened.' };
  if (url.username || url.password) return { ok: false, code: 'url_not_allowed', reason: 'The address may not carry a user name or password.' };
  const listed = checkPatterns(url, patterns);
  if (listed) return { ok: false, code: 'url_not_allowed', reason: listed };
  const host = await checkHost(url, policy);
  if (host) return { ok: false, code: 'url_not_allowed', reason: host };
  return { ok: true, url };
}
