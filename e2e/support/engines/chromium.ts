/** Chromium through playwright-core: one browser, a fresh context per page. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../browser.ts';
import type { Engine, EnginePage, Viewport, WaitOptions } from './types.ts';

export async function launchChromiumEngine(): Promise<Engine> {
  const browser: Browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  let closed = false;
  return {
    name: 'chromium',
    async open(url, options = {}) {
      const context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(url);
      return wrapPage(page, context);
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close();
    },
  };
}

/** An EnginePage over a Playwright page (also used to wrap pages a test made itself). */
export function wrapPage(page: Page, context?: BrowserContext): EnginePage {
  return {
    engine: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    click: (selector) => page.click(selector),
    type: async (selector, text) => {
      await page.focus(selector);
      await page.keyboard.type(text);
    },
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg?: A) => (page as unknown as Loose).evaluate(fn, arg) as Promise<Awaited<R>>,
    waitForFunction: async <A>(fn: (arg: A) => unknown, arg?: A, options: WaitOptions = {}) =>
      void (await (page as unknown as Loose).waitForFunction(fn, arg, { timeout: options.timeout ?? 10_000, polling: 50 })),
    screenshot: () => page.screenshot(),
    close: async () => {
      await (context ?? page).close();
    },
  };
}

/** The page's generic evaluate signatures, loosened: the adapter's own types are checked at its callers. */
interface Loose {
  evaluate(fn: unknown, arg: unknown): Promise<unknown>;
  waitForFunction(fn: unknown, arg: unknown, options: unknown): Promise<unknown>;
}

export type { Viewport };
