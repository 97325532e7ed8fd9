/**
 * Coordinate spaces of the replica. "Local" is CSS px inside the scaled replica frame on the
 * agent's screen; "viewport" is the customer's viewport (local / scale); "document" adds the
 * customer's scroll, so drawings stay on the content when the page scrolls.
 */
export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function localToViewport(local: Point, scale: number): Point {
  return { x: local.x / scale, y: local.y / scale };
}

export function localToDocument(local: Point, scale: number, scroll: Point): Point {
  return { x: local.x / scale + scroll.x, y: local.y / scale + scroll.y };
}

export function documentToLocal(doc: Point, scale: number, scroll: Point): Point {
  return { x: (doc.x - scroll.x) * scale, y: (doc.y - scroll.y) * scale };
}

/** The rectangle between two corners, whatever direction it was dragged in. */
export function boxBetween(a: Point, b: Point): Box {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

/** Rounds to 0.1 px: enough precision on the wire, fewer bytes. */
export function roundPoint(p: Point): [number, number] {
  return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10];
}

/** What the wheel handler needs to know of an element (or of the document) in the replica. */
export interface ScrollBox {
  scrollLeft: number;
  scrollTop: number;
  scrollWidth: number;
  scrollHeight: number;
  clientWidth: number;
  clientHeight: number;
  /** Computed overflow; the document scrolls unless it is `hidden`. */
  overflowX: string;
  overflowY: string;
  isDocument: boolean;
}

const scrollable = (overflow: string, isDocument: boolean) =>
  isDocument ? overflow !== 'hidden' && overflow !== 'clip' : overflow === 'auto' || overflow === 'scroll' || overflow === 'overlay';

function canScroll(box: ScrollBox, dx: number, dy: number): boolean {
  if (dy > 0 && scrollable(box.overflowY, box.isDocument) && box.scrollTop + box.clientHeight < box.scrollHeight - 1) return true;
  if (dy < 0 && scrollable(box.overflowY, box.isDocument) && box.scrollTop > 0) return true;
  if (dx > 0 && scrollable(box.overflowX, box.isDocument) && box.scrollLeft + box.clientWidth < box.scrollWidth - 1) return true;
  if (dx < 0 && scrollable(box.overflowX, box.isDocument) && box.scrollLeft > 0) return true;
  return false;
}

/** The first box, from the element under the pointer outwards, that can scroll in that direction. */
export function pickScrollTarget(chain: readonly ScrollBox[], dx: number, dy: number): number {
  return chain.findIndex((box) => canScroll(box, dx, dy));
}

/** The absolute scroll position after a wheel delta, kept inside the scrollable range. */
export function scrolledTo(box: Pick<ScrollBox, 'scrollWidth' | 'scrollHeight' | 'clientWidth' | 'clientHeight'>, from: Point, dx: number, dy: number): Point {
  const clamp = (v: number, max: number) => Math.round(Math.max(0, Math.min(max, v)));
  return { x: clamp(from.x + dx, box.scrollWidth - box.clientWidth), y: clamp(from.y + dy, box.scrollHeight - box.clientHeight) };
}

/** Wheel deltas in px, whatever the event's deltaMode (0 px, 1 lines, 2 pages). */
export function wheelPixels(event: { deltaX: number; deltaY: number; deltaMode: number }, pageSize: Point): Point {
  const factor = (axis: 'x' | 'y') => (event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? pageSize[axis] : 1);
  return { x: event.deltaX * factor('x'), y: event.deltaY * factor('y') };
}
