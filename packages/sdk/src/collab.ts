/**
 * collab.js: remote control, chat, drawings, presence and invites, loaded by capture.js when
 * a session starts (or an agent asks to see the tab), so that streaming alone stays small.
 * It registers through the loader's private hook and adds no global.
 */
import { createCollaboration } from './collab-manager.ts';
import type { CollabFactory } from './collab-types.ts';

const factory: CollabFactory = createCollaboration;

try {
  window.Samepage?._r?.(factory);
} catch {
  // Never into the page.
}
