/**
 * Holds back text and attribute changes of nodes far below the customer's viewport, and sends
 * each node's latest state once, when it comes near the viewport (docs/PERFORMANCE.md,
 * "Changes below the fold"). A page that updates many nodes the agent cannot see (a long feed, a
 * dashboard, a price list) then costs bytes for what is on screen, not for every change.
 *
 * What the agent sees does not change:
 * - Only changes whose element lies more than a viewport below the visible area are held:
 *   content below the viewport cannot move what is above it in normal flow. Changes above the
 *   viewport (which scroll anchoring would turn into a scroll jump) are never held.
 * - Only texts and the attributes `class`, `data-*` and `aria-*`, outside tables (a cell's text
 *   can change the width of every column), outside redacted, blocked or raw-text elements.
 * - An IntersectionObserver with a margin of one viewport releases a node before it can be seen,
 *   whichever way the page scrolls; a scroll jump of more than a viewport, a resize or a new
 *   keyframe release everything; nothing is held past HOLD_LIMIT_MS, and once the DOM has been
 *   quiet for QUIET_RELEASE_MS everything is sent, so only a page that keeps changing is behind
 *   (and only below the fold).
 * - Released nodes are sent with their state at release time, through the same redaction gate as
 *   every other event; nodes removed meanwhile are skipped.
 * Structure (insertions, removals) is never held: ids and order stay exactly rrweb's.
 */
import { EventType, IncrementalSource, type MutationData, type RecordedEvent } from './rrweb-events.ts';

export interface OffscreenDeferralOptions {
  getNode(id: number): Node | null;
  /** True when the element's text or attributes must be masked or hidden: never held. */
  isRedacted(el: Element): boolean;
  /** Something was released: the writer should flush. */
  onPending(): void;
}

export interface OffscreenDeferral {
  /** Takes the holdable changes out of a delta batch (in place), keeping what must go now. */
  filter(events: RecordedEvent[]): RecordedEvent[];
  /** Mutation events with the latest state of the nodes released since the last call. */
  drain(): RecordedEvent[];
  /** A keyframe was emitted: everything held is released, to follow it with its current state. */
  reset(): void;
  /** Changes held now (for tests and the bench). */
  heldCount(): number;
  stop(): void;
}

/** Nothing is held longer than this, whatever its position. */
export const HOLD_LIMIT_MS = 15_000;
/** Once the page's DOM has been quiet this long, everything held is sent: a still page is exact. */
export const QUIET_RELEASE_MS = 1_000;
/** A mutation batch with more changes than this is sent as it is (judging each would cost a frame). */
const MAX_JUDGED = 2000;
const HOLDABLE_ATTRIBUTE = /^(class|data-[\w.:-]+|aria-[a-z]+)$/;
const NOT_HOLDABLE_PARENTS = new Set(['STYLE', 'SCRIPT', 'TEXTAREA', 'TITLE', 'OPTION']);

interface Held {
  node: Node;
  el: Element;
  text: boolean;
  attributes: Set<string>;
  since: number;
}

/** Events this module made: never held again. */
const released = new WeakSet<object>();

/**
 * @example
 *   const deferral = startOffscreenDeferral({ getNode: getNodeById, isRedacted: (el) => policy.isTextRedacted(el), onPending: () => writer.schedule() });
 *   createFrameWriter({ …, filterDelta: deferral.filter, drainExtra: () => deferral.drain() });
 */
export function startOffscreenDeferral(options: OffscreenDeferralOptions): OffscreenDeferral | null {
  if (typeof IntersectionObserver !== 'function') return null;
  const held = new Map<number, Held>();
  const heldByElement = new Map<Element, Set<number>>();
  let ready = new Set<number>();
  let lastScrollY = scrollY;
  let lastWidth = innerWidth;
  let lastHeight = innerHeight;
  let lastMutationAt = 0;
  let quietTimer: ReturnType<typeof setTimeout> | undefined;

  const release = (ids: Iterable<number>): void => {
    let any = false;
    for (const id of ids) {
      if (held.has(id)) {
        ready.add(id);
        any = true;
      }
    }
    if (any) options.onPending();
  };

  const observer = new IntersectionObserver(
    (entries) => {
      const ids: number[] = [];
      for (const entry of entries) {
        const bottom = entry.rootBounds?.bottom ?? innerHeight * 2;
        // Near the viewport, or no longer below it (a jump past it, or layout moved it up).
        if (entry.isIntersecting || entry.boundingClientRect.top < bottom) ids.push(...(heldByElement.get(entry.target) ?? []));
      }
      release(ids);
    },
    { rootMargin: '100% 0px 100% 0px' },
  );

  const whenQuiet = (): void => {
    quietTimer = undefined;
    if (held.size === 0) return;
    const wait = lastMutationAt + QUIET_RELEASE_MS - Date.now();
    if (wait > 0) quietTimer = setTimeout(whenQuiet, wait);
    else release(held.keys());
  };

  const unhold = (id: number): Held | undefined => {
    const entry = held.get(id);
    if (!entry) return undefined;
    held.delete(id);
    const ids = heldByElement.get(entry.el);
    ids?.delete(id);
    if (ids && ids.size === 0) {
      heldByElement.delete(entry.el);
      observer.unobserve(entry.el);
    }
    return entry;
  };

  /** The element a change lives in, when the change may be held at all. */
  const holdableElement = (node: Node | null, text: boolean): Element | null => {
    if (!node || !node.isConnected) return null;
    const el = text ? node.parentElement : node.nodeType === 1 ? (node as Element) : null;
    if (!el || NOT_HOLDABLE_PARENTS.has(el.tagName) || !document.body?.contains(el)) return null;
    if (el.closest('table') || options.isRedacted(el)) return null;
    return el;
  };

  const hold = (id: number, node: Node, el: Element, text: boolean, attributes: readonly string[], now: number): void => {
    let entry = held.get(id);
    if (!entry) {
      entry = { node, el, text: false, attributes: new Set(), since: now };
      held.set(id, entry);
      let ids = heldByElement.get(el);
      if (!ids) {
        ids = new Set();
        heldByElement.set(el, ids);
        observer.observe(el);
      }
      ids.add(id);
    }
    if (text) entry.text = true;
    for (const name of attributes) entry.attributes.add(name);
  };

  const filterMutation = (data: MutationData, limit: number, now: number): void => {
    if ((data.texts?.length ?? 0) + (data.attributes?.length ?? 0) > MAX_JUDGED) return;
    const below = (el: Element): boolean => el.getBoundingClientRect().top > limit;
    if (data.texts?.length) {
      data.texts = data.texts.filter((change) => {
        const node = options.getNode(change.id);
        const el = holdableElement(node, true);
        if (!node || !el || !below(el)) return true;
        hold(change.id, node, el, true, [], now);
        return false;
      });
    }
    if (data.attributes?.length) {
      data.attributes = data.attributes.filter((change) => {
        const names = Object.keys(change.attributes);
        if (names.length === 0 || !names.every((name) => HOLDABLE_ATTRIBUTE.test(name))) return true;
        const node = options.getNode(change.id);
        const el = holdableElement(node, false);
        if (!node || !el || !below(el)) return true;
        hold(change.id, node, el, false, names, now);
        return false;
      });
    }
  };

  const clear = (): void => {
    held.clear();
    heldByElement.clear();
    ready = new Set();
    observer.disconnect();
    clearTimeout(quietTimer);
    quietTimer = undefined;
  };

  const isEmptyMutation = (data: MutationData & { removes?: unknown[] }): boolean =>
    !data.texts?.length && !data.attributes?.length && !data.adds?.length && !data.removes?.length;

  return {
    filter(events) {
      const now = Date.now();
      // A jump or a resize: positions judged before mean nothing now.
      if (Math.abs(scrollY - lastScrollY) > innerHeight || innerWidth !== lastWidth || innerHeight !== lastHeight) release(held.keys());
      lastScrollY = scrollY;
      lastWidth = innerWidth;
      lastHeight = innerHeight;
      for (const [id, entry] of held) if (now - entry.since > HOLD_LIMIT_MS) release([id]);
      const limit = innerHeight * 2;
      const out: RecordedEvent[] = [];
      for (const event of events) {
        if (event.type !== EventType.IncrementalSnapshot || released.has(event)) {
          out.push(event);
          continue;
        }
        const data = event.data as MutationData & { source: number };
        if (data.source !== IncrementalSource.Mutation) {
          out.push(event);
          continue;
        }
        lastMutationAt = now;
        filterMutation(data, limit, now);
        if (!isEmptyMutation(data)) out.push(event);
      }
      if (held.size > 0 && quietTimer === undefined) quietTimer = setTimeout(whenQuiet, QUIET_RELEASE_MS);
      return out;
    },
    drain() {
      if (ready.size === 0) return [];
      const ids = ready;
      ready = new Set();
      const texts: Array<{ id: number; value: string | null }> = [];
      const attributes: Array<{ id: number; attributes: Record<string, string | null> }> = [];
      for (const id of ids) {
        const entry = unhold(id);
        if (!entry || !entry.node.isConnected) continue;
        if (entry.text) texts.push({ id, value: entry.node.textContent });
        if (entry.attributes.size > 0) {
          const values: Record<string, string | null> = {};
          for (const name of entry.attributes) values[name] = entry.el.getAttribute(name);
          attributes.push({ id, attributes: values });
        }
      }
      if (texts.length === 0 && attributes.length === 0) return [];
      const event: RecordedEvent = {
        type: EventType.IncrementalSnapshot,
        timestamp: Date.now(),
        data: { source: IncrementalSource.Mutation, texts, attributes, removes: [], adds: [] },
      };
      released.add(event);
      return [event];
    },
    // Released rather than forgotten: cheap (once per keyframe) and exact whatever the keyframe read.
    reset: () => release(held.keys()),
    heldCount: () => held.size,
    stop: clear,
  };
}
