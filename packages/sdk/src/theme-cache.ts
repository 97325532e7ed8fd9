/**
 * The site's theme (set in the console), kept in localStorage so that "Get help" wears it at
 * once on the next page load, before the presence socket has said hello. One entry per origin:
 * the site key and its theme. Not personal data: every visitor of the site gets the same.
 * Every access is guarded: storage can be disabled or full.
 */
import type { SiteTheme } from '@samepage/protocol';
import { json } from './safe-json.ts';

export const THEME_STORAGE_KEY = 'samepage:theme';

/** The cached theme of `siteKey`, or undefined if there is none (first visit, other site). */
export function readSiteTheme(siteKey: string): SiteTheme | undefined {
  try {
    const [key, theme] = json().parse(localStorage.getItem(THEME_STORAGE_KEY) ?? '[]') as [unknown, unknown];
    return key === siteKey && theme && typeof theme === 'object' ? (theme as SiteTheme) : undefined;
  } catch {
    return undefined;
  }
}

export function writeSiteTheme(siteKey: string, theme: SiteTheme): void {
  try {
    localStorage.setItem(THEME_STORAGE_KEY, json().stringify([siteKey, theme]));
  } catch {
    // Storage disabled: the next page waits for the welcome again.
  }
}
