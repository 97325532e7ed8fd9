/**
 * capture.js runs on pages that may have broken the built-ins it relies on. JSON: see
 * safe-json.ts; here, an `Array.prototype.toJSON` (old Prototype.js and copies) would turn every
 * array we send into a string, whichever realm's JSON.stringify we call, because the arrays
 * are this page's. A replacer that puts the array back undoes it. MutationObserver: rrweb
 * takes an untainted one from a fresh iframe itself. We never use fetch. Array.prototype junk
 * and frozen prototypes: our code iterates with for…of and assigns no inherited names.
 */
import { json, useJson, works } from './safe-json.ts';

function undoArrayToJson(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return Array.isArray(original) ? original : value;
}

export function repairJson(): void {
  const j = json();
  if (works(j)) return;
  const repaired = { parse: j.parse, stringify: (value: unknown) => j.stringify(value, undoArrayToJson) };
  if (works(repaired)) useJson(repaired);
}

/**
 * A MutationObserver the page has not replaced: ours if its methods are native, else a fresh
 * realm's (as rrweb does for its own). For our own small observers (what the widget shows).
 */
export function pristineMutationObserver(): typeof MutationObserver {
  const native = (f: unknown): boolean => typeof f === 'function' && /\[native code\]/.test(Function.prototype.toString.call(f));
  const own = window.MutationObserver;
  if (native(own) && native(own.prototype?.observe)) return own;
  try {
    const frame = document.createElement('iframe');
    frame.hidden = true;
    document.documentElement.appendChild(frame);
    const fresh = (frame.contentWindow as Window & { MutationObserver: typeof MutationObserver }).MutationObserver;
    frame.remove();
    return fresh.prototype.constructor as typeof MutationObserver;
  } catch {
    return own;
  }
}
