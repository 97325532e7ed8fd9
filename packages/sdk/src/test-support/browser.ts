/**
 * Test helper: a real headless Chromium (Debian's package) with SDK modules injected as a
 * small esbuild bundle, so DOM-facing code is tested against a real DOM, not a fake.
 */
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Bundles `source` (TypeScript importing from packages/sdk/src) into one IIFE string. */
export async function bundleForPage(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('..', import.meta.url)), loader: 'ts', sourcefile: 'harness.ts' },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2020',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}

export async function openFixture(browser: Browser, html: string, script: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent(html);
  // tsx compiles the tests with keepNames, so functions passed to page.evaluate call __name.
  await page.addScriptTag({ content: 'window.__name = window.__name || function (f) { return f; };\n' + script });
  return page;
}
