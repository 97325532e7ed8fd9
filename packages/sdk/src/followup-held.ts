/**
 * The secrets of the messages this browser left (localStorage, so they outlive the tab): only
 * their holder can read the team's replies. The loader only checks that the key exists.
 * Every storage access is guarded: storage may be disabled or full.
 */
import { json } from './safe-json.ts';

export const HELD_STORAGE_KEY = 'samepage:followups';
const MAX_HELD = 20;

export interface HeldThread {
  /** The site key it was left on. */
  s: string;
  id: string;
  token: string;
}

function readAll(): HeldThread[] {
  try {
    const list = json().parse(localStorage.getItem(HELD_STORAGE_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((h): h is HeldThread => !!h && typeof h.s === 'string' && typeof h.id === 'string' && typeof h.token === 'string') : [];
  } catch {
    return [];
  }
}

function writeAll(list: HeldThread[]): void {
  try {
    if (list.length) localStorage.setItem(HELD_STORAGE_KEY, json().stringify(list.slice(-MAX_HELD)));
    else localStorage.removeItem(HELD_STORAGE_KEY);
  } catch {
    // Without storage the reply cannot be shown here; the team may still answer by email.
  }
}

export function readHeld(siteKey: string): HeldThread[] {
  return readAll().filter((h) => h.s === siteKey);
}

export function addHeld(siteKey: string, id: string, token: string): void {
  writeAll([...readAll(), { s: siteKey, id, token }]);
}

/** Forgets threads (read and done, or gone from the server). */
export function dropHeld(ids: readonly string[]): void {
  writeAll(readAll().filter((h) => !ids.includes(h.id)));
}
