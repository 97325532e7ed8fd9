/**
 * Finds the element a control action is for: the capture mirror's node id first, the point
 * (viewport coordinates) second. Our own widget is never a target, so an agent can never
 * press the customer's "Allow" or "Take back control".
 */
import type { ControlTarget } from '@samepage/protocol';
import { WIDGET_TAG, type RedactionPolicy } from './redaction.ts';

export type Resolved = { ok: true; el: Element; isDocument: boolean } | { ok: false; failure: 'node_gone' | 'not_supported'; message: string };

export interface TargetLookup {
  getNode(id: number): Node | null;
}

function insideWidget(el: Element): boolean {
  return el.closest(WIDGET_TAG) !== null;
}

function asElement(node: Node | null): Element | null {
  if (!node) return null;
  if (node.nodeType === Node.ELEMENT_NODE) return node as Element;
  return node.parentElement;
}

/**
 * @example
 *   const r = resolveTarget({ id: 42, x: 10, y: 20 }, { getNode: getNodeById });
 *   if (r.ok) click(r.el);
 */
export function resolveTarget(target: ControlTarget, lookup: TargetLookup): Resolved {
  const byId = target.id !== null && target.id >= 0 ? lookup.getNode(target.id) : null;
  if (byId === document) return { ok: true, el: document.scrollingElement ?? document.documentElement, isDocument: true };
  let el = byId && byId.isConnected ? asElement(byId) : null;
  const idWasGiven = target.id !== null && target.id >= 0;
  if (!el) {
    const atPoint = document.elementFromPoint(target.x, target.y);
    // A vanished node whose point now lands on the bare page is not "the same thing".
    const sensible = atPoint && !(idWasGiven && (atPoint === document.body || atPoint === document.documentElement));
    if (!sensible) return { ok: false, failure: 'node_gone', message: 'The element is no longer on the page.' };
    el = atPoint;
  }
  if (insideWidget(el)) return { ok: false, failure: 'not_supported', message: "Samepage's own controls are for the customer only." };
  return { ok: true, el, isDocument: false };
}

/** A field an agent must never type into: sensitive, or inside a redacted or blocked area. */
export function isRedactedField(policy: RedactionPolicy, el: Element): boolean {
  return policy.isSensitiveField(el) || policy.isTextRedacted(el) || policy.isBlocked(el);
}

const TEXT_INPUT_TYPES = new Set(['', 'text', 'search', 'email', 'url', 'tel', 'number', 'password', 'date', 'time', 'datetime-local', 'month', 'week']);

export type TextField = HTMLInputElement | HTMLTextAreaElement;

/** An input or textarea that takes typed text (not a checkbox, button, file...). */
export function isTextField(el: Element): el is TextField {
  if (el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(el.type.toLowerCase());
}

/** Whether the customer could type here right now. */
export function isEditable(el: Element): boolean {
  if (isTextField(el)) return !el.disabled && !el.readOnly;
  return el instanceof HTMLElement && el.isContentEditable;
}

const FOCUSABLE =
  'a[href],button,input:not([type=hidden]),select,textarea,iframe,summary,[contenteditable]:not([contenteditable=false]),[tabindex]';

/** The page's tab order (document order, tabindex >= 0, enabled and rendered). */
export function tabOrder(): HTMLElement[] {
  const all = Array.from(document.querySelectorAll<HTMLElement>(FOCUSABLE));
  return all.filter((el) => {
    if (el.tabIndex < 0 || (el as HTMLButtonElement).disabled || insideWidget(el)) return false;
    return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  });
}
