import type { ControlAction, ControlFailure } from '@samepage/protocol';
import type { Page } from 'playwright-core';
import type { Logger } from 'pino';
import { checkOpenUrl, type AddressPolicy, type UrlPatterns } from './url-policy.ts';

export type BrowserAction = Extract<ControlAction, { kind: 'navigate' | 'tab' }>;
export type BrowserActionResult = { ok: true } | { ok: false; failure: ControlFailure; message: string };

export interface BrowserActionContext {
  page: Page;
  patterns: UrlPatterns;
  network: AddressPolicy;
  log: Logger;
  tabCount(): number;
  switchTo(index: number): Promise<boolean>;
}

/** The control actions the browser runs itself rather than the page's SDK: navigation and tabs. */
export function isBrowserAction(action: ControlAction): action is BrowserAction {
  return action.kind === 'navigate' || action.kind === 'tab';
}

/** What the customer or agent typed in the address bar: absolute, site-relative (`/cart`), or a bare host. */
export function resolveTypedUrl(typed: string, current: string): string {
  const raw = typed.trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) return raw;
  if (raw.startsWith('/') || raw.startsWith('?') || raw.startsWith('#')) {
    try {
      return new URL(raw, current).href;
    } catch {
      return raw;
    }
  }
  return `https://${raw}`;
}

const fail = (failure: ControlFailure, message: string): BrowserActionResult => ({ ok: false, failure, message: message.slice(0, 200) });

/**
 * Runs a navigation or tab switch in the shared browser. The address is checked first (scheme,
 * the tenant's list, SSRF) for a clear answer; the request router and the egress proxy check
 * every request of the navigation again. The result is answered before the page has loaded.
 *
 * @example
 *   const result = await runBrowserAction({ kind: 'navigate', to: 'back' }, ctx);
 */
export async function runBrowserAction(action: BrowserAction, ctx: BrowserActionContext): Promise<{ result: BrowserActionResult; after?: () => Promise<unknown> }> {
  const { page, log } = ctx;
  const quietly = (p: Promise<unknown>) => p.catch((err: unknown) => log.info({ err: String(err).split('\n')[0] }, 'shared browser navigation did not finish'));
  if (action.kind === 'tab') {
    if (action.index >= ctx.tabCount()) return { result: fail('node_gone', 'That tab is closed.') };
    return { result: { ok: true }, after: () => ctx.switchTo(action.index) };
  }
  switch (action.to) {
    case 'url': {
      const verdict = await checkOpenUrl(resolveTypedUrl(action.url ?? '', page.url()), ctx.patterns, ctx.network);
      if (!verdict.ok) return { result: fail('origin_not_allowed', verdict.reason) };
      return { result: { ok: true }, after: () => quietly(page.goto(verdict.url.href, { waitUntil: 'commit', timeout: 30_000 })) };
    }
    case 'back':
      return { result: { ok: true }, after: () => quietly(page.goBack({ waitUntil: 'commit', timeout: 30_000 })) };
    case 'forward':
      return { result: { ok: true }, after: () => quietly(page.goForward({ waitUntil: 'commit', timeout: 30_000 })) };
    case 'reload':
      return { result: { ok: true }, after: () => quietly(page.reload({ waitUntil: 'commit', timeout: 30_000 })) };
  }
}
