/**
 * Edits a field the way a person typing would, so React, Vue and plain listeners all see it:
 * the prototype's native value setter (React tracks values set through the instance), then
 * beforeinput/input, with the key events around each character.
 */
import type { TextField } from './control-target.ts';

const valueSetter = (el: TextField): ((v: string) => void) | undefined => {
  const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  return Object.getOwnPropertyDescriptor(proto, 'value')?.set;
};

/** Sets a field's value through the native setter (what a framework's value tracker expects). */
export function setNativeValue(el: TextField, value: string): void {
  const set = valueSetter(el);
  if (set) set.call(el, value);
  else el.value = value;
}

/** The caret range, or the end for fields without one (email, number). */
function selection(el: TextField): [number, number] {
  try {
    const start = el.selectionStart;
    const end = el.selectionEnd;
    if (start !== null && end !== null) return [start, end];
  } catch {
    // selectionStart throws on some input types
  }
  return [el.value.length, el.value.length];
}

function setCaret(el: TextField, at: number): void {
  try {
    el.setSelectionRange(at, at);
  } catch {
    // not supported by this input type
  }
}

export function keyEvent(type: 'keydown' | 'keypress' | 'keyup', target: EventTarget, key: string, shift = false): boolean {
  const code = key.length === 1 ? (key === ' ' ? 'Space' : /[a-z]/i.test(key) ? `Key${key.toUpperCase()}` : /\d/.test(key) ? `Digit${key}` : '') : key;
  const init: KeyboardEventInit = { key, code, shiftKey: shift, bubbles: true, cancelable: true, composed: true };
  return target.dispatchEvent(new KeyboardEvent(type, init));
}

function inputEvent(type: 'beforeinput' | 'input', el: Element, inputType: string, data: string | null): boolean {
  return el.dispatchEvent(new InputEvent(type, { inputType, data, bubbles: true, cancelable: type === 'beforeinput', composed: true }));
}

/** Replaces the selection (or inserts at the caret) with `text`, firing beforeinput/input. */
function replaceSelection(el: TextField, text: string, inputType: string, range?: [number, number]): void {
  if (!inputEvent('beforeinput', el, inputType, text || null)) return; // the page cancelled it
  const [start, end] = range ?? selection(el);
  const next = el.value.slice(0, start) + text + el.value.slice(end);
  if (el.maxLength >= 0 && next.length > el.maxLength && text) return; // as a browser would: ignore
  setNativeValue(el, next);
  setCaret(el, start + text.length);
  inputEvent('input', el, inputType, text || null);
}

/** Types one character with its key events. */
export function typeChar(el: TextField, ch: string): void {
  const key = ch === '\n' ? 'Enter' : ch;
  if (!keyEvent('keydown', el, key)) return;
  keyEvent('keypress', el, key);
  replaceSelection(el, ch, ch === '\n' ? 'insertLineBreak' : 'insertText');
  keyEvent('keyup', el, key);
}

/** Types into a contenteditable element through the browser's editing commands. */
export function typeIntoEditable(el: HTMLElement, text: string): void {
  for (const ch of text) {
    if (!keyEvent('keydown', el, ch)) continue;
    keyEvent('keypress', el, ch);
    // execCommand is deprecated but remains the only way to edit like the user (undo stack, events).
    if (!document.execCommand('insertText', false, ch)) {
      inputEvent('beforeinput', el, 'insertText', ch);
      el.append(ch);
      inputEvent('input', el, 'insertText', ch);
    }
    keyEvent('keyup', el, ch);
  }
}

/** Backspace or Delete in a text field. */
export function deleteText(el: TextField, forward: boolean): void {
  let [start, end] = selection(el);
  if (start === end) {
    if (forward) end = Math.min(el.value.length, end + 1);
    else start = Math.max(0, start - 1);
  }
  if (start === end) return;
  replaceSelection(el, '', forward ? 'deleteContentForward' : 'deleteContentBackward', [start, end]);
}

/** Arrows, Home and End in a text field move the caret. */
export function moveCaret(el: TextField, key: string): void {
  const [start, end] = selection(el);
  const length = el.value.length;
  const at: Record<string, number> = {
    ArrowLeft: start === end ? start - 1 : start,
    ArrowRight: start === end ? end + 1 : end,
    Home: 0,
    End: length,
    ArrowUp: el instanceof HTMLTextAreaElement ? start : 0,
    ArrowDown: el instanceof HTMLTextAreaElement ? end : length,
    PageUp: 0,
    PageDown: length,
  };
  const next = at[key];
  if (next !== undefined) setCaret(el, Math.max(0, Math.min(length, next)));
}

/** Dispatches input + change, as a browser does after a select or a committed edit. */
export function fireChange(el: Element): void {
  el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
