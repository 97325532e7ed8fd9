/**
 * Where an agent in control may send the tab. The site's policy lists origins: exact
 * (`https://shop.example.com`), wildcards for subdomains (`https://*.example.com`), or `self`
 * (the page's own origin). Only http(s) URLs qualify, so `javascript:` and `data:` never run.
 */

/** Whether `url` (absolute, or relative to `pageUrl`) may be navigated to. */
export function isNavigationAllowed(url: string, allowed: readonly string[], pageUrl: string): boolean {
  let target: URL;
  let page: URL;
  try {
    page = new URL(pageUrl);
    target = new URL(url, page);
  } catch {
    return false;
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
  return allowed.some((entry) => originMatches(target, entry.trim(), page.origin));
}

/**
 * @example
 *   originMatches(new URL('https://a.example.com/x'), 'https://*.example.com', 'https://shop.io'); // true
 */
export function originMatches(target: URL, entry: string, selfOrigin: string): boolean {
  if (entry === 'self' || entry === "'self'") return target.origin === selfOrigin;
  const wildcard = /^(https?):\/\/\*\.([^/:*]+)(:\d+)?$/.exec(entry);
  if (wildcard) {
    const [, scheme, domain, port] = wildcard;
    if (target.protocol !== `${scheme}:` || (port ?? '') !== (target.port ? `:${target.port}` : '')) return false;
    return target.hostname.endsWith(`.${domain?.toLowerCase()}`);
  }
  try {
    return new URL(entry).origin === target.origin && /^https?:\/\/[^/]+\/?$/.test(entry);
  } catch {
    return false;
  }
}
