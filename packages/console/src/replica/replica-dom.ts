/**
 * Reading the replica's DOM for remote control: which element is under the agent's pointer,
 * what kind of control it is, and what can scroll. The replica is inert (no scripts), so the
 * console only reads it; every change happens on the customer's tab.
 */
import type { ControlTarget } from '@samepage/protocol';
import { pickScrollTarget, scrolledTo, type Point, type ScrollBox } from './coords.ts';
import type { ReplicaAdapter } from './replica-adapter.ts';

export type ElementKind = 'select' | 'check' | 'editable' | 'other';

const TEXT_INPUTS = new Set(['', 'text', 'email', 'search', 'tel', 'url', 'password', 'number', 'date', 'time', 'datetime-local', 'month', 'week']);

// Replica nodes live in the iframe's realm: compare tag names, not `instanceof`.
export function kindOf(el: Element): ElementKind {
  const tag = el.tagName;
  if (tag === 'SELECT') return 'select';
  if (tag === 'INPUT') {
    const type = (el.getAttribute('type') ?? '').toLowerCase();
    if (type === 'checkbox' || type === 'radio') return 'check';
    return TEXT_INPUTS.has(type) ? 'editable' : 'other';
  }
  if (tag === 'TEXTAREA' || (el as HTMLElement).isContentEditable) return 'editable';
  return 'other';
}

/**
 * The element under a point of the customer's viewport, in the replica. `elementFromPoint`
 * stops at a shadow host, so it goes on into open shadow roots: a click on a button inside a
 * web component must target that button, not the component (which would swallow the click).
 */
export function elementAt(adapter: ReplicaAdapter, viewport: Point): Element | null {
  let el = adapter.document()?.elementFromPoint(viewport.x, viewport.y) ?? null;
  for (let depth = 0; el?.shadowRoot && depth < 32; depth++) {
    const inner = el.shadowRoot.elementFromPoint(viewport.x, viewport.y);
    if (!inner || inner === el) break;
    el = inner;
  }
  return el;
}

/** The parent across a shadow boundary (a shadow root's host). */
function parentOf(el: Element): Element | null {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root && root.nodeType === 11 ? ((root as ShadowRoot).host ?? null) : null;
}

/** A control target: the mirror id first, the viewport point for `elementFromPoint` as fallback. */
export function targetFor(adapter: ReplicaAdapter, node: Node | null, viewport: Point): ControlTarget {
  const id = node ? adapter.idOf(node) : -1;
  return { id: id >= 0 ? id : null, x: Math.round(viewport.x), y: Math.round(viewport.y) };
}

/** A target for a node known by id (e.g. the focused field): aimed at the middle of its box. */
export function targetById(adapter: ReplicaAdapter, id: number): ControlTarget | null {
  const rect = adapter.nodeRect(id);
  if (!rect) return null;
  return { id, x: Math.round(rect.x + rect.width / 2), y: Math.round(rect.y + rect.height / 2) };
}

export interface SelectOption {
  index: number;
  label: string;
  disabled: boolean;
  selected: boolean;
}

export function readOptions(select: Element): SelectOption[] {
  const options = Array.from((select as HTMLSelectElement).options ?? []);
  return options.map((o, index) => ({ index, label: o.label || o.text, disabled: o.disabled, selected: o.selected }));
}

export function isChecked(el: Element): boolean {
  return (el as HTMLInputElement).checked === true;
}

/** Where a wheel turn should scroll: the element (or document) and its new absolute position. */
export function scrollTargetAt(adapter: ReplicaAdapter, start: Element | null, dx: number, dy: number, base: (id: number) => Point | null): { target: ControlTarget; to: Point } | null {
  const doc = adapter.document();
  const win = doc?.defaultView;
  if (!doc || !win) return null;
  const elements: Element[] = [];
  for (let el = start; el && el !== doc.documentElement && el !== doc.body; el = parentOf(el)) elements.push(el);
  const boxes: ScrollBox[] = elements.map((el) => {
    const style = win.getComputedStyle(el);
    return { scrollLeft: el.scrollLeft, scrollTop: el.scrollTop, scrollWidth: el.scrollWidth, scrollHeight: el.scrollHeight, clientWidth: el.clientWidth, clientHeight: el.clientHeight, overflowX: style.overflowX, overflowY: style.overflowY, isDocument: false };
  });
  const root = doc.documentElement;
  const rootStyle = win.getComputedStyle(root);
  boxes.push({
    scrollLeft: win.scrollX, scrollTop: win.scrollY,
    scrollWidth: root.scrollWidth, scrollHeight: root.scrollHeight,
    clientWidth: win.innerWidth, clientHeight: win.innerHeight,
    overflowX: rootStyle.overflowX, overflowY: rootStyle.overflowY, isDocument: true,
  });
  const at = pickScrollTarget(boxes, dx, dy);
  const box = boxes[at];
  if (!box) return null;
  const node: Node = box.isDocument ? doc : (elements[at] as Element);
  const id = adapter.idOf(node);
  const from = (id >= 0 ? base(id) : null) ?? { x: box.scrollLeft, y: box.scrollTop };
  const rect = box.isDocument ? { x: 0, y: 0 } : (elements[at] as Element).getBoundingClientRect();
  return { target: { id: id >= 0 ? id : null, x: Math.round(rect.x + 1), y: Math.round(rect.y + 1) }, to: scrolledTo(box, from, dx, dy) };
}
