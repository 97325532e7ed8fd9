/** Headless Chromium for the benchmark (see ../../shared/BROWSERS.md, Chromium part). */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../e2e/support/browser.ts';

export async function launchBrowser(): Promise<Browser> {
  // Viewers and the customer share one browser; keep background tabs running at full speed.
  return launchChromium({ extraArgs: ['--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'] });
}

/** Milliseconds since the epoch on the clock every page shares: performance.timeOrigin + now(). */
export const PAGE_NOW = 'performance.timeOrigin + performance.now()';
