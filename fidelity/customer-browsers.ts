/**
 * The customer's browser for the fidelity harness, one small adapter per engine: Chromium
 * (playwright-core), Firefox ESR (puppeteer-core over WebDriver BiDi) and WebKit (webdriverio →
 * WebKitWebDriver → MiniBrowser on Xvfb), as /work/shared/BROWSERS.md describes. The agent's
 * console always runs in Chromium. Each adapter gives a 1280×800 viewport, real pointer hover,
 * focus, clicks, evaluation of source strings and a PNG of the viewport.
 *
 * @example
 *   const customer = await launchCustomer('firefox');
 *   const tab = await customer.newTab();
 *   await tab.goto(url);
 */
import { PNG } from 'pngjs';
import { launchChromium } from '../e2e/support/browser.ts';
import { missingEngine } from '../e2e/support/engines/index.ts';
import { launchFirefox } from '../e2e/support/engines/firefox.ts';
import { openMiniBrowser, startWebKitDriver, type WdioBrowser } from '../e2e/support/engines/webkit.ts';
import type { CustomerActions } from './corpus.ts';
import { TWO_FRAMES } from './page-scripts.ts';

export type Engine = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly Engine[] = ['chromium', 'firefox', 'webkit'];
export const VIEWPORT = { width: 1280, height: 800 } as const;

// Same rendering on both sides: no LCD text, one colour profile.
export const RENDERING_ARGS = ['--disable-lcd-text', '--force-color-profile=srgb', '--font-render-hinting=none'];

export interface CustomerTab extends CustomerActions {
  goto(url: string): Promise<void>;
  evaluateSource<R>(source: string): Promise<R>;
  /** A PNG of the viewport (VIEWPORT), with `css` applied only for the shot. */
  screenshot(css: string): Promise<Buffer>;
  problems: string[];
  close(): Promise<void>;
}

export interface CustomerBrowser {
  newTab(): Promise<CustomerTab>;
  close(): Promise<void>;
}

// The widget's host defends its styles from the page (:host !important inside its shadow root
// wins over any outside rule), so it is taken out for the shot and put back.
const HIDE_FOR_SHOT = (css: string): string => `(() => {
  const host = document.querySelector('samepage-widget');
  if (host) window.__spWidget = [host, host.nextSibling, host.parentNode];
  if (host) host.remove();
  const style = document.createElement('style');
  style.id = '__sp-shot-style';
  style.textContent = ${JSON.stringify(css)};
  document.documentElement.appendChild(style);
  return true;
})()`;
const RESTORE_AFTER_SHOT = `(() => {
  const saved = window.__spWidget;
  if (saved) saved[2].insertBefore(saved[0], saved[1]);
  window.__spWidget = null;
  const style = document.getElementById('__sp-shot-style');
  if (style) style.remove();
  return true;
})()`;

async function chromiumCustomer(): Promise<CustomerBrowser> {
  const browser = await launchChromium({ extraArgs: RENDERING_ARGS });
  return {
    async newTab() {
      // A context per page: no sessionStorage, hover or focus left over from the page before.
      const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
      return {
        problems,
        goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
        evaluateSource: (source) => page.evaluate(source),
        evaluate: (fn) => page.evaluate(fn),
        hover: (selector) => page.hover(selector),
        click: (selector) => page.click(selector),
        focus: (selector) => page.focus(selector),
        screenshot: async (css) => {
          await page.evaluate(HIDE_FOR_SHOT(''));
          try {
            return await page.screenshot({ style: css, caret: 'hide', animations: 'allow' });
          } finally {
            await page.evaluate(RESTORE_AFTER_SHOT);
          }
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

async function firefoxCustomer(): Promise<CustomerBrowser> {
  // No smooth scrolling, one device pixel per CSS pixel: the same page paints the same way each run.
  const browser = await launchFirefox({ 'general.smoothScroll': false, 'layout.css.devPixelsPerPx': '1.0' });
  return {
    async newTab() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ ...VIEWPORT, deviceScaleFactor: 1 });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
      page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
      const evaluateSource = <R>(source: string): Promise<R> => page.evaluate(source) as Promise<R>;
      return {
        problems,
        goto: async (url) => void (await page.goto(url, { waitUntil: 'load' })),
        evaluateSource,
        evaluate: <R>(fn: () => R | Promise<R>) => evaluateSource<R>(`(${fn.toString()})()`),
        hover: (selector) => page.hover(selector),
        click: (selector) => page.click(selector),
        focus: (selector) => page.focus(selector),
        screenshot: async (css) => {
          await evaluateSource(HIDE_FOR_SHOT(css));
          try {
            await evaluateSource(TWO_FRAMES);
            return Buffer.from(await page.screenshot({ type: 'png' }));
          } finally {
            await evaluateSource(RESTORE_AFTER_SHOT);
          }
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** Crops (or pads with white) a PNG to the viewport: MiniBrowser's shot is of its window. */
function fitToViewport(png: Buffer): Buffer {
  const src = PNG.sync.read(png);
  if (src.width === VIEWPORT.width && src.height === VIEWPORT.height) return png;
  const out = new PNG({ width: VIEWPORT.width, height: VIEWPORT.height });
  out.data.fill(255);
  PNG.bitblt(src, out, 0, 0, Math.min(src.width, VIEWPORT.width), Math.min(src.height, VIEWPORT.height), 0, 0);
  return PNG.sync.write(out);
}

async function webkitCustomer(): Promise<CustomerBrowser> {
  const driver = await startWebKitDriver();
  const sessions = new Set<WdioBrowser>();
  return {
    async newTab() {
      const browser = await openMiniBrowser(driver.port);
      sessions.add(browser);
      // Source strings are expressions (often promises): run them as an async script.
      const evaluateSource = async <R>(source: string): Promise<R> => {
        const result = (await browser.executeAsync(
          `const done = arguments[arguments.length - 1];
           Promise.resolve().then(() => (${source})).then((value) => done({ value }), (e) => done({ error: String((e && e.message) || e) }));`,
        )) as { value?: R; error?: string };
        if (result && typeof result === 'object' && 'error' in result && result.error) throw new Error(result.error);
        return result?.value as R;
      };
      // The window is sized so that its viewport is 1280×800 (MiniBrowser adds its toolbar).
      await browser.setWindowSize(VIEWPORT.width, VIEWPORT.height);
      await browser.url('about:blank');
      const [iw, ih] = await evaluateSource<[number, number]>('[innerWidth, innerHeight]');
      const { width, height } = await browser.getWindowSize();
      await browser.setWindowSize(width + VIEWPORT.width - iw, height + VIEWPORT.height - ih);
      return {
        problems: [],
        goto: async (url) => void (await browser.url(url)),
        evaluateSource,
        evaluate: <R>(fn: () => R | Promise<R>) => evaluateSource<R>(`(${fn.toString()})()`),
        hover: async (selector) => void (await (await browser.$(selector)).moveTo()),
        click: async (selector) => void (await (await browser.$(selector)).click()),
        focus: async (selector) => void (await evaluateSource(`document.querySelector(${JSON.stringify(selector)}).focus()`)),
        screenshot: async (css) => {
          await evaluateSource(HIDE_FOR_SHOT(css));
          try {
            // Without two animation frames first, some screenshots come back blank (BROWSERS.md).
            await evaluateSource(TWO_FRAMES);
            return fitToViewport(Buffer.from(await browser.takeScreenshot(), 'base64'));
          } finally {
            await evaluateSource(RESTORE_AFTER_SHOT);
          }
        },
        close: async () => {
          sessions.delete(browser);
          await browser.deleteSession();
        },
      };
    },
    close: async () => {
      await Promise.allSettled([...sessions].map((s) => s.deleteSession()));
      await driver.close();
    },
  };
}

/** Launches the customer's browser; an engine that is not installed fails with how to install it. */
export async function launchCustomer(engine: Engine): Promise<CustomerBrowser> {
  const missing = missingEngine(engine);
  if (missing) throw new Error(`${missing}; see /work/shared/BROWSERS.md`);
  if (engine === 'firefox') return firefoxCustomer();
  if (engine === 'webkit') return webkitCustomer();
  return chromiumCustomer();
}
