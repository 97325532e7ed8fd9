import { chromium, type Browser } from 'playwright-core';

/** The Debian Chromium, or the one SAMEPAGE_CHROMIUM points at (see scripts/ensure-browsers.mjs). */
export const CHROMIUM_PATH = process.env.SAMEPAGE_CHROMIUM || '/usr/bin/chromium';

/**
 * No DNS for anything but loopback (and the test's own host names mapped to it): an offline
 * machine, and a browser that can never reach outside even if a page tries.
 */
export function hostResolverRules(localHosts: readonly string[] = []): string {
  const maps = localHosts.map((h) => `MAP ${h} 127.0.0.1 , `).join('');
  return `--host-resolver-rules=${maps}MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost`;
}

/** The flags every Chromium of the tests, the bench and the fidelity suite starts with (BROWSERS.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium with a fresh temporary profile. Close it in `t.after`.
 *
 * @example
 *   const browser = await launchChromium();
 *   t.after(() => browser.close());
 */
export async function launchChromium(options: { extraArgs?: readonly string[]; localHosts?: readonly string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, hostResolverRules(options.localHosts), ...(options.extraArgs ?? [])],
  });
}
