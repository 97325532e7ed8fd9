/**
 * Pointer and scroll capture at frame rate, replacing rrweb's (DESIGN.md: rrweb loses scroll
 * positions because one throttle is shared by every element, and sends the cursor 500 ms
 * late). We keep only the latest value per element and hand them to the frame writer once per
 * animation frame, in rrweb's own event format so the stream stays rrweb-compatible.
 */
import { EventType, IncrementalSource, type RecordedEvent } from './rrweb-events.ts';
import { json } from './safe-json.ts';

/** rrweb custom event (type 5) with the visual viewport: { scale, x, y, width, height } in CSS px, and `touch` (a touch screen). */
export const VISUAL_VIEWPORT_TAG = 'samepage:visual-viewport';
/** rrweb's MouseInteractions.Focus. */
const FOCUS_INTERACTION = 5;

export interface MotionCapture {
  /** The coalesced events since the last call (pointer first, then one scroll per element). */
  drain(): RecordedEvent[];
  /**
   * After a keyframe: sends the visual viewport, the focused element and the last pointer
   * position again with the next drain, since a full snapshot carries none of them (the replica
   * mirrors :focus and :hover from them).
   */
  resendAfterKeyframe(): void;
  stop(): void;
}

export interface MotionCaptureOptions {
  getId(node: Node): number;
  isBlocked(el: Element): boolean;
  /** Called when there is something to drain, so the writer can schedule a flush. */
  onPending(): void;
}

/**
 * @example
 *   const motion = startMotionCapture({ getId: rec.getId, isBlocked: policy.isBlocked, onPending: writer.schedule });
 */
export function startMotionCapture(options: MotionCaptureOptions): MotionCapture {
  let pointer: { x: number; y: number; id: number } | null = null;
  let lastPointer: { x: number; y: number; id: number } | null = null;
  let focusPending = true; // sent with the first flush, after the first keyframe
  const scrolls = new Map<number, { x: number; y: number }>();
  // Pinch-zoom and the on-screen keyboard move the visual viewport, not the layout viewport
  // that rrweb's Meta/ViewportResize report: sent as a custom event (VISUAL_VIEWPORT_TAG).
  const vv = typeof window.visualViewport === 'object' ? window.visualViewport : null;
  let visualPending = vv !== null; // sent with the first flush
  let lastVisual = '';
  const onVisualViewport = (): void => {
    visualPending = true;
    options.onPending();
  };

  /** The innermost recorded node of an event's path (inside open shadow roots, not in blocked content). */
  const recordedId = (path: EventTarget[]): number => {
    for (const node of path) {
      const id = node instanceof Node ? options.getId(node) : -1;
      if (id >= 0) return id;
    }
    return options.getId(document);
  };

  const onScroll = (event: Event): void => {
    try {
      const target = event.target;
      let id: number;
      let x: number;
      let y: number;
      if (target === document || target === window) {
        id = options.getId(document);
        const root = document.scrollingElement ?? document.documentElement;
        x = root.scrollLeft;
        y = root.scrollTop;
      } else if (target instanceof Element) {
        if (options.isBlocked(target)) return;
        id = options.getId(target);
        x = target.scrollLeft;
        y = target.scrollTop;
      } else return;
      if (id < 0) return;
      scrolls.set(id, { x, y });
      options.onPending();
    } catch {
      // A pointer or scroll sample is never worth an error in the page.
    }
  };

  const onPointerMove = (event: PointerEvent): void => {
    try {
      pointer = { x: event.clientX, y: event.clientY, id: recordedId(event.composedPath()) };
      lastPointer = pointer;
      options.onPending();
    } catch {
      // see above
    }
  };

  const listenOptions = { capture: true, passive: true } as const;
  document.addEventListener('scroll', onScroll, listenOptions);
  window.addEventListener('pointermove', onPointerMove, listenOptions);
  vv?.addEventListener('resize', onVisualViewport, listenOptions);
  vv?.addEventListener('scroll', onVisualViewport, listenOptions);

  return {
    drain() {
      const events: RecordedEvent[] = [];
      const timestamp = Date.now();
      if (pointer) {
        events.push({
          type: EventType.IncrementalSnapshot,
          timestamp,
          data: { source: IncrementalSource.MouseMove, positions: [{ ...pointer, timeOffset: 0 }] },
        });
        pointer = null;
      }
      for (const [id, pos] of scrolls) {
        events.push({ type: EventType.IncrementalSnapshot, timestamp, data: { source: IncrementalSource.Scroll, id, ...pos } });
      }
      scrolls.clear();
      if (focusPending) {
        focusPending = false;
        let active = document.activeElement;
        while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
        const id = active && active !== document.body ? options.getId(active) : -1;
        if (id >= 0) events.push({ type: EventType.IncrementalSnapshot, timestamp, data: { source: IncrementalSource.MouseInteraction, type: FOCUS_INTERACTION, id } });
      }
      if (visualPending && vv) {
        visualPending = false;
        const r = (n: number): number => Math.round(n * 100) / 100;
        const payload = { scale: r(vv.scale), x: r(vv.offsetLeft), y: r(vv.offsetTop), width: r(vv.width), height: r(vv.height), touch: navigator.maxTouchPoints > 0 };
        const key = json().stringify(payload);
        if (key !== lastVisual) {
          lastVisual = key;
          events.push({ type: EventType.Custom, timestamp, data: { tag: VISUAL_VIEWPORT_TAG, payload } });
        }
      }
      return events;
    },
    resendAfterKeyframe() {
      lastVisual = '';
      focusPending = true;
      pointer = pointer ?? lastPointer;
      onVisualViewport();
    },
    stop() {
      document.removeEventListener('scroll', onScroll, listenOptions);
      window.removeEventListener('pointermove', onPointerMove, listenOptions);
      vv?.removeEventListener('resize', onVisualViewport, listenOptions);
      vv?.removeEventListener('scroll', onVisualViewport, listenOptions);
    },
  };
}
