/**
 * The theme in force: the site's theme from the server (set in the console), with the page's
 * own options (data-* attributes, `Samepage.init({ theme })`) on top. The server's is the
 * session's once connected, before that the one the presence socket brought (or cached).
 */
import type { SiteTheme } from '@samepage/protocol';
import type { CaptureHost } from './api-types.ts';
import { el } from './widget-dom.ts';

export function resolveTheme(host: Pick<CaptureHost, 'config' | 'snapshot'>): SiteTheme {
  const policy = host.snapshot().policy;
  const server = (policy ? policy.theme : host.config.siteTheme) ?? {};
  const own = host.config.theme;
  const theme: Record<string, unknown> = { ...server };
  for (const [key, value] of Object.entries(own)) if (value !== undefined && key !== 'text') theme[key] = value;
  return { ...(theme as SiteTheme), text: { ...server.text, ...own.text } };
}

/** The site's logo, if the theme has one (decorative: the text next to it says what this is). */
export function logo(theme: SiteTheme): HTMLImageElement | null {
  if (!theme.logoUrl || !/^(https?:\/\/|\/)/.test(theme.logoUrl)) return null;
  const img = el('img', 'sp-logo');
  img.alt = '';
  img.src = theme.logoUrl;
  return img;
}
