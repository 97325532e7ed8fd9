/**
 * e2ee.js: end-to-end encryption on the customer's side (docs/E2EE.md), loaded by capture.js
 * only when the site's policy turns it on, so unencrypted sites never download it. Registers
 * through the loader's private hook; no global.
 */
import { createE2eeChannel } from './e2ee-channel.ts';

try {
  window.Samepage?._r?.(createE2eeChannel);
} catch {
  // Never into the page.
}
