/**
 * Fetches one asset for the proxy, as an anonymous client: no cookies, no Authorization, no
 * Referer, nothing of the agent's. SSRF protection runs on the address each socket really
 * connects to (the lookup hook refuses special addresses, so a DNS answer that changes between
 * a check and the connection cannot slip through), and every redirect hop is checked again
 * against the site's hosts before it is followed.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { isFetchableUrl, isSpecialAddress } from './address-policy.ts';

export type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const resolveWithDns: Resolve = (host) =>
  new Promise((resolve, reject) => dns.lookup(host, { all: true, verbatim: true }, (err, list) => (err ? reject(err) : resolve(list))));

export interface FetchOptions {
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
  /** Checked for the first URL and every redirect target. */
  isAllowed(url: URL): boolean;
  resolve?: Resolve;
  /** Which resolved addresses are refused (default: isSpecialAddress); tests stand in their own. */
  isBlockedAddress?: (ip: string) => boolean;
  maxRedirects?: number;
}

export type FetchFailure = { ok: false; code: 'asset_not_allowed' | 'asset_too_large' | 'asset_unavailable'; reason: string; privateAddress?: boolean };
export type FetchResult = { ok: true; url: URL; bytes: Buffer; contentType: string | undefined } | FetchFailure;

class Refused extends Error {
  constructor(message: string) {
    super(message);
  }
}

function publicOnlyLookup(resolve: Resolve, allowPrivate: boolean, isBlocked: (ip: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (list) => {
        const usable = allowPrivate ? list : list.filter((a) => !isBlocked(a.address));
        if (usable.length === 0 || usable.length !== list.length) return callback(new Refused(`${hostname} resolves to a private or special address`), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

interface Hop {
  status: number;
  location: string | null;
  contentType: string | undefined;
  bytes: Buffer;
}

function requestOnce(url: URL, o: FetchOptions): Promise<Hop> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // The lookup hook is not called for IP literals: check those here.
  const isBlocked = o.isBlockedAddress ?? isSpecialAddress;
  if (net.isIP(host) && !o.allowPrivate && isBlocked(host)) return Promise.reject(new Refused(`${host} is a private or special address`));
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: 'GET',
        headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': 'Samepage-AssetProxy/1' },
        lookup: publicOnlyLookup(o.resolve ?? resolveWithDns, o.allowPrivate, isBlocked),
        timeout: o.timeoutMs,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = typeof res.headers.location === 'string' ? res.headers.location : null;
        if (status >= 300 && status < 400) {
          res.resume();
          return resolve({ status, location, contentType: undefined, bytes: Buffer.alloc(0) });
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > o.maxBytes) {
          res.destroy();
          return reject(new TooLarge());
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > o.maxBytes) {
            res.destroy();
            reject(new TooLarge());
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status, location, contentType: res.headers['content-type'], bytes: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

class TooLarge extends Error {}

/**
 * @example
 *   const r = await fetchAsset(new URL('https://shop.example.com/logo.png'), { allowPrivate: false, maxBytes: 5e6, timeoutMs: 10_000, isAllowed });
 */
export async function fetchAsset(start: URL, o: FetchOptions): Promise<FetchResult> {
  let url = start;
  for (let hop = 0; hop <= (o.maxRedirects ?? 5); hop++) {
    if (!isFetchableUrl(url)) return { ok: false, code: 'asset_not_allowed', reason: 'Only http(s) URLs without credentials are fetched.' };
    if (!o.isAllowed(url)) return { ok: false, code: 'asset_not_allowed', reason: `${url.host} is not one of the site's hosts${hop ? ' (redirect)' : ''}.` };
    let res: Hop;
    try {
      res = await requestOnce(url, o);
    } catch (err) {
      if (err instanceof TooLarge) return { ok: false, code: 'asset_too_large', reason: `The asset is larger than ${o.maxBytes} bytes.` };
      if (err instanceof Refused) return { ok: false, code: 'asset_not_allowed', reason: `${err.message}${hop ? ' (redirect)' : ''}.`, privateAddress: hop === 0 };
      return { ok: false, code: 'asset_unavailable', reason: `The asset could not be fetched (${(err as Error).message}).` };
    }
    if (res.status >= 300 && res.status < 400 && res.location) {
      try {
        url = new URL(res.location, url);
      } catch {
        return { ok: false, code: 'asset_unavailable', reason: 'The asset redirects to an invalid URL.' };
      }
      continue;
    }
    if (res.status !== 200) return { ok: false, code: 'asset_unavailable', reason: `The asset's server answered ${res.status}.` };
    return { ok: true, url, bytes: res.bytes, contentType: res.contentType };
  }
  return { ok: false, code: 'asset_unavailable', reason: 'Too many redirects.' };
}
