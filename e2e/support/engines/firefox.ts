/** Firefox ESR through puppeteer-core over WebDriver BiDi (no geckodriver). */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { Engine, EnginePage, WaitOptions } from './types.ts';

export const FIREFOX_PATH = process.env.SAMEPAGE_FIREFOX || '/usr/bin/firefox-esr';

/** Headless Firefox ESR with the offline machine's prefs (no captive-portal or connectivity probes), plus `prefs`. */
export function launchFirefox(prefs: Record<string, unknown> = {}): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: {
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
      ...prefs,
    },
  });
}

export async function launchFirefoxEngine(): Promise<Engine> {
  const browser: Browser = await launchFirefox();
  let closed = false;
  return {
    name: 'firefox',
    async open(url, options = {}) {
      // One isolated context per page, like a fresh Chromium context: no shared cookies or storage.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      if (options.viewport) await page.setViewport(options.viewport);
      await page.goto(url);
      return wrapFirefoxPage(page, () => context.close());
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close();
    },
  };
}

function wrapFirefoxPage(page: Page, closeContext: () => Promise<void>): EnginePage {
  return {
    engine: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    click: (selector) => page.click(selector),
    type: (selector, text) => page.type(selector, text),
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => (page as unknown as Loose).evaluate(fn, arg) as Promise<Awaited<R>>,
    waitForFunction: async <A>(fn: (arg: A) => unknown, arg?: A, options: WaitOptions = {}) =>
      void (await (page as unknown as Loose).waitForFunction(fn, { timeout: options.timeout ?? 10_000, polling: 50 }, arg)),
    screenshot: async () => Buffer.from(await page.screenshot()),
    close: closeContext,
  };
}

/** Puppeteer's generic evaluate signatures, loosened: the adapter's own types are checked at its callers. */
interface Loose {
  evaluate(fn: unknown, arg: unknown): Promise<unknown>;
  waitForFunction(fn: unknown, options: unknown, arg: unknown): Promise<unknown>;
}
