/** An allowed-origins entry as a CSP source, or null when it cannot be one safely. */
function toCspSource(entry: string): string | null {
  if (entry === 'self') return "'self'";
  // Exact origins and `scheme://*.host[:port]` wildcards only: nothing that could end a directive.
  if (!/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(entry)) return null;
  return entry.toLowerCase();
}

/** The asset proxy's URL as a CSP source: one exact path (`https://console.example.com/assets/proxy`). */
function toProxySource(url: string): string | null {
  return /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?\/[a-z0-9/_-]+$/i.test(url) ? url : null;
}

/**
 * The Content-Security-Policy for a replica of a site: the replica may fetch images, styles,
 * fonts and media from the site's allowed origins only, and nothing else at all, so that a
 * hostile page cannot make the agent's browser call an attacker's host (CSS beacons, prefetch,
 * srcset, forms). The console delivers it as a `<meta http-equiv>` in the replica document; it
 * adds to the console's own CSP, which the about:blank replica inherits. `assetProxy` adds the
 * server's asset proxy (that one path only), which the console routes some assets through.
 *
 * @example buildReplicaCsp(['https://shop.example.com', 'self'], 'https://help.example.com/assets/proxy')
 */
export function buildReplicaCsp(allowedOrigins: readonly string[], assetProxy?: string): string {
  const proxy = assetProxy ? toProxySource(assetProxy) : null;
  const sources = [...new Set([...allowedOrigins.map(toCspSource), proxy].filter((s): s is string => s !== null))];
  const from = sources.length ? sources.join(' ') : "'none'";
  const withInline = (extra: string) => (sources.length ? `${from} ${extra}` : extra);
  return [
    "default-src 'none'",
    `img-src ${withInline('data: blob:')}`,
    // rrweb rebuilds inline <style> elements and style attributes.
    `style-src ${withInline("'unsafe-inline'")}`,
    `font-src ${withInline('data:')}`,
    `media-src ${withInline('data: blob:')}`,
    "script-src 'none'",
    "object-src 'none'",
    "frame-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}
