/**
 * One key press from the agent: the key events, then what the browser would do by default
 * unless the page cancelled keydown (Enter submits or activates, Tab moves focus, editing keys
 * edit, arrows move the caret or scroll).
 */
import type { ControlKey } from '@samepage/protocol';
import type { ActionResult, ExecutorContext } from './control-executor.ts';
import { isEditable, isRedactedField, isTextField, tabOrder, type TextField } from './control-target.ts';
import { deleteText, keyEvent, moveCaret, typeChar } from './text-editing.ts';
import { dispatchClick } from './pointer-events.ts';

const OK: ActionResult = { ok: true };
const LINE_PX = 40;
const IMPLICIT_SUBMIT_TYPES = new Set(['text', 'search', 'url', 'tel', 'email', 'password', 'date', 'month', 'week', 'time', 'datetime-local', 'number']);

function clickCentre(el: Element): void {
  const r = el.getBoundingClientRect();
  dispatchClick(el, r.left + r.width / 2, r.top + r.height / 2);
}

/** Enter in a single-line field: the browser's implicit submission. */
function submitImplicitly(input: HTMLInputElement): void {
  const form = input.form;
  if (!form) return;
  const submitter = Array.from(form.elements).find(
    (e): e is HTMLButtonElement | HTMLInputElement =>
      (e instanceof HTMLButtonElement && e.type === 'submit') || (e instanceof HTMLInputElement && (e.type === 'submit' || e.type === 'image')),
  );
  if (submitter) {
    if (!submitter.disabled) form.requestSubmit(submitter);
    return;
  }
  const blocking = Array.from(form.elements).filter((e) => e instanceof HTMLInputElement && IMPLICIT_SUBMIT_TYPES.has(e.type));
  if (blocking.length === 1) form.requestSubmit();
}

function moveFocus(from: Element, back: boolean): void {
  const order = tabOrder();
  if (!order.length) return;
  const i = order.indexOf(from as HTMLElement);
  const next = i < 0 ? (back ? order.length - 1 : 0) : (i + (back ? -1 : 1) + order.length) % order.length;
  order[next]?.focus();
}

function scrollPage(key: ControlKey, shift: boolean): void {
  const page = window.innerHeight * 0.875;
  const by: Partial<Record<ControlKey, [number, number]>> = {
    ArrowUp: [0, -LINE_PX],
    ArrowDown: [0, LINE_PX],
    ArrowLeft: [-LINE_PX, 0],
    ArrowRight: [LINE_PX, 0],
    PageUp: [0, -page],
    PageDown: [0, page],
    ' ': [0, shift ? -page : page],
  };
  if (key === 'Home') return window.scrollTo({ top: 0, behavior: 'instant' });
  if (key === 'End') return window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });
  const delta = by[key];
  if (delta) window.scrollBy({ left: delta[0], top: delta[1], behavior: 'instant' });
}

/** Keys that change a field's text go through the same checks as typing. */
function editingRefusal(ctx: ExecutorContext, el: Element): ActionResult | null {
  if (isRedactedField(ctx.policy, el)) return { ok: false, failure: 'redacted_field', message: 'This field is private; only the customer can edit it.' };
  if (!isEditable(el)) return { ok: false, failure: 'not_editable', message: 'This field cannot be edited.' };
  return null;
}

function editsText(el: Element, key: ControlKey): boolean {
  if (key === 'Backspace' || key === 'Delete') return isTextField(el) || (el instanceof HTMLElement && el.isContentEditable);
  if (key === ' ') return isTextField(el);
  return key === 'Enter' && el instanceof HTMLTextAreaElement;
}

function defaultAction(el: Element, key: ControlKey, shift: boolean): void {
  const text = isTextField(el) ? (el as TextField) : null;
  switch (key) {
    case 'Enter':
      if (el instanceof HTMLInputElement && text) submitImplicitly(el);
      else if (el.matches('button,a[href],summary,input[type=button],input[type=submit],input[type=reset]')) clickCentre(el);
      return;
    case 'Tab':
      return moveFocus(el, shift);
    case 'Backspace':
    case 'Delete':
      if (text) deleteText(text, key === 'Delete');
      else document.execCommand(key === 'Delete' ? 'forwardDelete' : 'delete');
      return;
    case 'Escape':
      return;
    case ' ':
      if (el.matches('button,summary,input[type=checkbox],input[type=radio],input[type=button],input[type=submit]')) clickCentre(el);
      else scrollPage(key, shift);
      return;
    default:
      if (text) moveCaret(text, key);
      else if (!(el instanceof HTMLSelectElement)) scrollPage(key, shift);
  }
}

/**
 * @example
 *   pressKey(ctx, document.activeElement!, 'Enter', false);
 */
export function pressKey(ctx: ExecutorContext, target: Element, key: ControlKey, shift: boolean): ActionResult {
  const el = target === document.documentElement || target === document.scrollingElement ? (document.activeElement ?? document.body) : target;
  if (editsText(el, key)) {
    const refusal = editingRefusal(ctx, el);
    if (refusal) return refusal;
    if (key === ' ' || key === 'Enter') {
      typeChar(el as TextField, key === 'Enter' ? '\n' : ' ');
      return OK;
    }
  }
  if (keyEvent('keydown', el, key, shift)) {
    if (key === 'Enter' || key === ' ') keyEvent('keypress', el, key, shift);
    defaultAction(el, key, shift);
  }
  keyEvent('keyup', el, key, shift);
  return OK;
}
