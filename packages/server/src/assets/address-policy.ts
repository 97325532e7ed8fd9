/**
 * Which hosts and addresses the asset proxy may fetch. Hosts: the site's own origins and the
 * operator's list. Addresses: public ones only, unless the operator allows private ones; the
 * check runs on the address the socket actually connects to (see asset-fetch.ts).
 */
import net from 'node:net';
import { isPrivateAddress } from '../webhooks/private-address.ts';

const special = new net.BlockList();
// On top of private-address.ts: documentation, benchmarking and other reserved IPv4 blocks.
for (const [addr, prefix] of [
  ['192.0.2.0', 24],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['255.255.255.255', 32],
] as const) special.addSubnet(addr, prefix, 'ipv4');
for (const [addr, prefix] of [
  ['64:ff9b::', 96], // NAT64 can reach any IPv4 address, private ones too
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4 embeds an IPv4 address
  ['100::', 64],
] as const) special.addSubnet(addr, prefix, 'ipv6');

/** Loopback, private, link-local, unique-local, CGNAT, multicast, documentation or otherwise reserved. */
export function isSpecialAddress(ip: string): boolean {
  if (isPrivateAddress(ip)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped?.[1] ?? (net.isIP(ip) === 4 ? ip : null);
  if (v4) return special.check(v4, 'ipv4');
  return special.check(ip, 'ipv6');
}

/** An allowed-origins entry (`https://shop.example.com`, `https://*.example.com`) or operator host glob matches a URL. */
function matchesEntry(url: URL, entry: string): boolean {
  const e = entry.trim().toLowerCase();
  if (!e || e === 'self' || !/^[a-z*]/.test(e)) return false;
  if (e.includes('://')) {
    const [scheme, rest] = e.split('://') as [string, string];
    if (`${scheme}:` !== url.protocol) return false;
    if (rest.startsWith('*.')) return url.host.endsWith(rest.slice(1));
    return url.host === rest;
  }
  // A host glob from ASSET_PROXY_ALLOW_HOSTS: any scheme, any port unless given.
  const host = e.includes(':') ? url.host : url.hostname;
  if (e.startsWith('*.')) return host.endsWith(e.slice(1));
  return host === e;
}

/** The host is one of the site's origins or on the operator's list. */
export function isHostAllowed(url: URL, siteOrigins: readonly string[], operatorHosts: readonly string[]): boolean {
  return siteOrigins.some((o) => matchesEntry(url, o)) || operatorHosts.some((h) => matchesEntry(url, h));
}

/** Only plain http(s) URLs without credentials are ever fetched. */
export function isFetchableUrl(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
}
