/** Which of the agent's key presses, in control mode, become actions on the customer's tab. */
import { CONTROL_KEYS, type ControlKey } from '@samepage/protocol';

export type KeyIntent = { kind: 'text'; text: string } | { kind: 'key'; key: ControlKey; shift: boolean } | null;

const KEYS = new Set<string>(CONTROL_KEYS.filter((k) => k !== ' '));

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  isComposing?: boolean;
}

/** Printable characters are typed; editing and moving keys are sent as keys; shortcuts stay local. */
export function readKey(event: KeyLike): KeyIntent {
  if (event.isComposing) return null;
  if (event.ctrlKey || event.metaKey) return null;
  if (KEYS.has(event.key)) return { kind: 'key', key: event.key as ControlKey, shift: event.shiftKey };
  // A single code point (letters, digits, space, AltGr characters, emoji) is text.
  if ([...event.key].length === 1) return { kind: 'text', text: event.key };
  return null;
}
