/** assets.js: loaded by capture.js when the site sets `inlineAssets` (asset-supply.ts). */
import { startAssetSupply } from './asset-supply.ts';

try {
  window.Samepage?._r?.(startAssetSupply);
} catch {
  // Never into the page.
}
