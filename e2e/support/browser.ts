import { chromium, type Browser } from 'playwright-core';

/** The Debian Chromium, or the one SAMEPAGE_CHROMIUM points at (see scripts/ensure-browsers.mjs). */
export const CHROMIUM_PATH = process.env.SAMEPAGE_CHROMIUM || '/usr/bin/chromium';

// Offline machine: no background traffic, and no DNS for anything but loopback.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];

/**
 * Launches headless Chromium with a fresh temporary profile. Close it in `t.after`.
 *
 * @example
 *   const browser = await launchChromium();
 *   t.after(() => browser.close());
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
