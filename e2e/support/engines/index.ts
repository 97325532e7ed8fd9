/**
 * One small adapter over three browser engines, so that one test body runs the customer's
 * side in Chromium (playwright-core), Firefox (puppeteer-core over WebDriver BiDi) and WebKit
 * (webdriverio → WebKitWebDriver → MiniBrowser on Xvfb). Recipes: /work/shared/BROWSERS.md.
 *
 * Functions passed to `evaluate` and `waitForFunction` are sent to the page as source: keep
 * them self-contained, with no inner named functions (tsx's keepNames would wrap those in a
 * `__name` helper that does not exist in the page).
 *
 * @example
 *   const engine = await launchEngine(t, 'firefox'); // skips the test if Firefox is missing
 *   if (!engine) return;
 *   const page = await engine.open(url, { viewport: { width: 1000, height: 700 } });
 *   await page.click('#submit');
 */
import fs from 'node:fs';
import type { TestContext } from 'node:test';
import { CHROMIUM_PATH } from '../browser.ts';
import { launchChromiumEngine } from './chromium.ts';
import { launchFirefoxEngine, FIREFOX_PATH } from './firefox.ts';
import { launchWebKitEngine, MINIBROWSER_PATH, WEBKIT_DRIVER_PATH, XVFB_PATH } from './webkit.ts';

export * from './types.ts';
import type { Engine, EngineName } from './types.ts';

/** Why `name` cannot run on this machine, or null when it can. */
export function missingEngine(name: EngineName): string | null {
  const need: Record<EngineName, Array<[string, string]>> = {
    chromium: [[CHROMIUM_PATH, 'apt-get install chromium']],
    firefox: [[FIREFOX_PATH, 'apt-get install firefox-esr']],
    webkit: [
      [WEBKIT_DRIVER_PATH, 'apt-get install webkit2gtk-driver'],
      [MINIBROWSER_PATH, 'apt-get install webkit2gtk-driver'],
      [XVFB_PATH, 'apt-get install xvfb'],
    ],
  };
  const missing = need[name].filter(([path]) => !fs.existsSync(path));
  return missing.length ? `${name} is not installed: missing ${missing.map(([p, fix]) => `${p} (${fix})`).join(', ')}` : null;
}

/**
 * Launches `name` and closes it when the test ends. When the engine is not installed, marks
 * the test skipped with the reason and returns null (the caller returns at once).
 */
export async function launchEngine(t: TestContext, name: EngineName): Promise<Engine | null> {
  const missing = missingEngine(name);
  if (missing) {
    t.skip(missing);
    return null;
  }
  const engine = name === 'chromium' ? await launchChromiumEngine() : name === 'firefox' ? await launchFirefoxEngine() : await launchWebKitEngine();
  t.after(() => engine.close());
  return engine;
}
