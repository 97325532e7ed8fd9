/**
 * snapshot.js: the still page snapshot of "Leave a message" (page-snapshot.ts), loaded by
 * followup.js only when the visitor attaches one. Registers through the loader's private hook.
 */
import { takeCompressedSnapshot } from './page-snapshot.ts';

try {
  window.Samepage?._r?.(takeCompressedSnapshot);
} catch {
  // Never into the page.
}
