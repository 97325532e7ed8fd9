/**
 * widget.js: the built-in UI, loaded by capture.js only when the widget is on (sites that build
 * their own UI never download it). Registers through the loader's private hook; no global.
 */
import { widgetModule } from './widget.ts';

try {
  window.Samepage?._r?.(widgetModule);
} catch {
  // Never into the page.
}
