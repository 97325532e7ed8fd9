/** A language bundle hands its dictionary to capture.js through the loader's private hook. */
import type { Strings } from './en.ts';

export function registerStrings(strings: Strings): void {
  try {
    window.Samepage?._r?.(strings);
  } catch {
    // Never into the page.
  }
}
