/**
 * Performs one remote-control action on the customer's page, as if the customer had done it,
 * and says what happened. It never runs script, never reads a redacted value and never types
 * into a redacted field. Whether the sender is the controller is checked by the caller
 * (control-session.ts) before and during the action.
 */
import type { ControlAction, ControlFailure, ControlTarget } from '@samepage/protocol';
import { isEditable, isRedactedField, isTextField, resolveTarget, type TargetLookup } from './control-target.ts';
import { fireChange, typeChar, typeIntoEditable } from './text-editing.ts';
import { dispatchClick } from './pointer-events.ts';
import { pressKey } from './control-keys.ts';
import { isNavigationAllowed } from './navigation-policy.ts';
import type { RedactionPolicy } from './redaction.ts';

export interface ActionResult {
  ok: boolean;
  failure?: ControlFailure;
  message?: string;
}

export interface ExecutorContext extends TargetLookup {
  policy: RedactionPolicy;
  navigation: { allowed: boolean; origins: readonly string[] };
  /** False once control was taken back: a long action stops between characters. */
  stillAllowed(): boolean;
  /** Navigation runs after the result is sent, so the agent hears back before the page unloads. */
  defer(fn: () => void): void;
}

const OK: ActionResult = { ok: true };
const fail = (failure: ControlFailure, message: string): ActionResult => ({ ok: false, failure, message });
/** Characters typed between yields, so "Take back control" can interrupt long text. */
const TYPE_CHUNK = 24;

function withTarget(ctx: ExecutorContext, target: ControlTarget, run: (el: Element, isDocument: boolean) => ActionResult | Promise<ActionResult>): ActionResult | Promise<ActionResult> {
  const r = resolveTarget(target, ctx);
  return r.ok ? run(r.el, r.isDocument) : fail(r.failure, r.message);
}

function linkNotAllowed(ctx: ExecutorContext, el: Element): boolean {
  // Clicking a same-site link is what the customer would do; leaving the site is navigation.
  const link = el.closest('a[href]') as HTMLAnchorElement | null;
  if (!link || link.origin === location.origin) return false;
  if (/^(javascript|data):/i.test(link.href)) return true;
  return !ctx.navigation.allowed || !isNavigationAllowed(link.href, ctx.navigation.origins, location.href);
}

async function typeText(ctx: ExecutorContext, el: Element, text: string): Promise<ActionResult> {
  if (isRedactedField(ctx.policy, el)) return fail('redacted_field', 'This field is private; only the customer can type into it.');
  if (!isEditable(el)) return fail('not_editable', 'This element does not take typed text.');
  (el as HTMLElement).focus({ preventScroll: true });
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i += TYPE_CHUNK) {
    if (i > 0) await new Promise((r) => setTimeout(r, 0));
    if (!ctx.stillAllowed()) return fail('not_controller', 'Control was taken back while typing.');
    // Re-checked: the page may have turned the field into a password field meanwhile.
    if (isRedactedField(ctx.policy, el)) return fail('redacted_field', 'This field became private.');
    const chunk = chars.slice(i, i + TYPE_CHUNK);
    if (isTextField(el)) for (const ch of chunk) typeChar(el, ch);
    else typeIntoEditable(el as HTMLElement, chunk.join(''));
  }
  if (isTextField(el)) el.dispatchEvent(new Event('change', { bubbles: true }));
  return OK;
}

function select(ctx: ExecutorContext, el: Element, index: number): ActionResult {
  if (!(el instanceof HTMLSelectElement)) return fail('not_supported', 'This element is not a list of options.');
  if (isRedactedField(ctx.policy, el)) return fail('redacted_field', 'This field is private; only the customer can change it.');
  if (el.disabled) return fail('not_editable', 'This list is disabled.');
  if (index >= el.options.length || el.options[index]?.disabled) return fail('failed', 'There is no such option.');
  el.focus({ preventScroll: true });
  Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'selectedIndex')?.set?.call(el, index);
  fireChange(el);
  return OK;
}

function check(el: Element, checked: boolean, x: number, y: number): ActionResult {
  const box = el instanceof HTMLLabelElement ? el.control : el;
  if (!(box instanceof HTMLInputElement) || (box.type !== 'checkbox' && box.type !== 'radio')) {
    return fail('not_supported', 'This element is not a checkbox or a radio button.');
  }
  if (box.disabled) return fail('not_editable', 'This box is disabled.');
  if (box.checked === checked) return OK;
  if (box.type === 'radio' && !checked) return fail('not_supported', 'A radio button is cleared by choosing another one.');
  dispatchClick(box, x, y); // a click, so frameworks listening for click or change both see it
  return box.checked === checked ? OK : fail('failed', 'The page did not let the box change.');
}

function scroll(el: Element, isDocument: boolean, left: number, top: number): ActionResult {
  if (isDocument) window.scrollTo({ left, top, behavior: 'instant' });
  else el.scrollTo({ left, top, behavior: 'instant' });
  return OK;
}

function submit(el: Element): ActionResult {
  const form = (el as HTMLInputElement).form ?? el.closest('form');
  if (!form) return fail('failed', 'This element is not in a form.');
  form.requestSubmit(); // runs validation and submit listeners, as the customer's submit would
  return OK;
}

function navigate(ctx: ExecutorContext, action: Extract<ControlAction, { kind: 'navigate' }>): ActionResult {
  if (!ctx.navigation.allowed) return fail('origin_not_allowed', 'This site does not let agents navigate the tab.');
  if (action.to === 'url') {
    const url = action.url ?? '';
    if (!isNavigationAllowed(url, ctx.navigation.origins, location.href)) {
      return fail('origin_not_allowed', "That address is outside the site's allowed origins.");
    }
    const absolute = new URL(url, location.href).href;
    ctx.defer(() => location.assign(absolute));
  } else if (action.to === 'back') ctx.defer(() => history.back());
  else if (action.to === 'forward') ctx.defer(() => history.forward());
  else ctx.defer(() => location.reload());
  return OK;
}

/**
 * @example
 *   const result = await executeAction({ kind: 'type', target, text: 'hi' }, ctx);
 *   send({ type: 'control_result', participantId, actionId, ...result });
 */
export async function executeAction(action: ControlAction, ctx: ExecutorContext): Promise<ActionResult> {
  switch (action.kind) {
    case 'click': {
      const { x, y } = action.target;
      return withTarget(ctx, action.target, (el) => {
        if (linkNotAllowed(ctx, el)) return fail('origin_not_allowed', "That link leads outside the site's allowed origins.");
        dispatchClick(el, x, y, action.double === true);
        return OK;
      });
    }
    case 'type':
      return withTarget(ctx, action.target, (el) => typeText(ctx, el, action.text));
    case 'key':
      if (!action.target) return pressKey(ctx, document.activeElement ?? document.body, action.key, action.shift === true);
      return withTarget(ctx, action.target, (el) => pressKey(ctx, el, action.key, action.shift === true));
    case 'scroll':
      return withTarget(ctx, action.target, (el, isDoc) => scroll(el, isDoc, action.scrollX, action.scrollY));
    case 'select':
      return withTarget(ctx, action.target, (el) => select(ctx, el, action.index));
    case 'check':
      return withTarget(ctx, action.target, (el) => check(el, action.checked, action.target.x, action.target.y));
    case 'focus':
      return withTarget(ctx, action.target, (el) => {
        if (el instanceof HTMLElement) el.focus({ preventScroll: true });
        return OK;
      });
    case 'submit':
      return withTarget(ctx, action.target, submit);
    case 'navigate':
      return navigate(ctx, action);
    default:
      return fail('not_supported', 'This action is not supported by this version of the SDK.');
  }
}
