/**
 * The top page's half of cross-origin frames (docs/SECURITY.md, "Framed pages"). rrweb records
 * a same-origin frame itself; a cross-origin frame that embeds our SDK records itself
 * (frame-child.ts) and posts its redacted events here, where rrweb (recordCrossOriginIframes)
 * maps their ids into this page's and merges them into the stream. This module decides what
 * rrweb may merge, and tells frames when to share:
 *
 * - It says hello (FRAME_HELLO) to each cross-origin frame whose address is one of the site's
 *   origins, after every keyframe (a keyframe holds none of their content) and whenever a frame
 *   loads, addressed to that origin only; it says FRAME_STOP when the session ends.
 * - It filters every rrweb message before rrweb sees it: only messages that carry our mark,
 *   come from a frame of this document whose origin (MessageEvent.origin) is one of the site's
 *   origins, and whose <iframe> is neither blocked nor inside a redacted area of this page get
 *   through. Anything else, say a third-party frame that runs rrweb's own cross-origin mode with
 *   its own masking, is dropped. On the top window the filter wraps rrweb's own listener (added
 *   inside record(), see `whileStarting`), so the page's other listeners, an analytics replay
 *   tool's say, still get every message; on same-origin frames' windows, where rrweb adds its
 *   listener later, a capturing listener stops rejected messages instead.
 * - The events it let through are marked, so the pipeline keeps their scroll events (this page's
 *   own are sampled by motion-capture.ts instead).
 */
import { FRAME_HELLO, FRAME_MARK, FRAME_STOP } from './frame-messages.ts';
import { originMatches } from './navigation-policy.ts';
import type { RedactionPolicy } from './redaction.ts';
import { isRecord } from './rrweb-events.ts';

export interface FrameBridge {
  /** True for an event that a frame posted and the filter let through. */
  isFrameEvent(event: object): boolean;
  /** Asks every frame for a fresh snapshot: after each keyframe. */
  announce(): void;
  /** Runs `start` (rrweb's record()) with its top-window message listener behind the filter. */
  whileStarting<T>(start: () => T): T;
  stop(): void;
}

export interface FrameBridgeOptions {
  policy: RedactionPolicy;
  /** The site's allowed origins (welcome.policy.navigationOrigins): only frames of these are merged. */
  origins(): readonly string[];
  onError(error: unknown): void;
}

/** Same-origin frames are walked this deep for the cross-origin frames inside them. */
const MAX_DEPTH = 4;

/**
 * Starts filtering at once; call it before the recorder starts. Null in a framed page: only
 * the top page merges frames (rrweb would post a framed recorder's events to '*').
 *
 * @example
 *   const frames = startFrameBridge({ policy, origins: () => policy.navigationOrigins, onError: report });
 *   const recorder = frames ? frames.whileStarting(() => startRecorder(...)) : startRecorder(...);
 *   frames?.announce();
 */
export function startFrameBridge(options: FrameBridgeOptions): FrameBridge | null {
  if (window.parent !== window) return null;
  const { policy } = options;
  const fromFrames = new WeakSet<object>();
  const guarded = new WeakSet<Document>();
  const told = new Map<Window, string>();
  const undo: Array<() => void> = [];
  let stopped = false;

  const allowed = (origin: string): boolean => {
    if (origin === 'null' || origin === location.origin) return false;
    try {
      const url = new URL(origin);
      return options.origins().some((entry) => originMatches(url, entry, location.origin));
    } catch {
      return false;
    }
  };
  const shareable = (frame: Element): boolean => !policy.isBlocked(frame) && !policy.isTextRedacted(frame);
  const sameOriginDocument = (frame: HTMLIFrameElement): Document | null => {
    try {
      return frame.contentDocument;
    } catch {
      return null;
    }
  };

  const isRrweb = (event: Event): event is MessageEvent<Record<string, unknown>> => {
    const data: unknown = (event as MessageEvent).data;
    return isRecord(data) && data['type'] === 'rrweb';
  };
  /** Whether rrweb may merge this rrweb message received by `doc`'s window; marks what it lets through. */
  const accept = (event: MessageEvent<Record<string, unknown>>, doc: Document): boolean => {
    const data = event.data;
    const frame = event.source ? [...doc.querySelectorAll('iframe')].find((f) => f.contentWindow === event.source) : undefined;
    const payload = data['event'];
    if (data[FRAME_MARK] !== 1 || data['origin'] !== event.origin || !frame || !allowed(event.origin) || !shareable(frame) || !isRecord(payload)) return false;
    fromFrames.add(payload);
    return true;
  };
  const filter = (event: MessageEvent): void => {
    const doc = (event.currentTarget as Window | null)?.document;
    if (isRrweb(event) && !(doc && accept(event, doc))) event.stopImmediatePropagation();
  };

  const onLoad = (event: Event): void => {
    const frame = event.target;
    if (stopped || !(frame instanceof HTMLIFrameElement)) return;
    const inner = sameOriginDocument(frame);
    if (inner) walk(inner, 1, true);
    else hello(frame);
  };

  /** rrweb listens on same-origin frames' windows too, so the filter goes there as well. */
  const guard = (doc: Document): void => {
    const win = doc.defaultView;
    if (!win || guarded.has(doc)) return;
    guarded.add(doc);
    const top = doc === document;
    if (!top) win.addEventListener('message', filter, true);
    doc.addEventListener('load', onLoad, true);
    undo.push(() => {
      if (!top) win.removeEventListener('message', filter, true);
      doc.removeEventListener('load', onLoad, true);
    });
  };

  const whileStarting = <T>(start: () => T): T => {
    const own = Object.prototype.hasOwnProperty.call(window, 'addEventListener') ? window.addEventListener : null;
    const original = window.addEventListener;
    window.addEventListener = function (this: Window, type: string, listener: EventListenerOrEventListenerObject, opts?: boolean | AddEventListenerOptions) {
      if (type !== 'message' || typeof listener !== 'function') return original.call(this, type, listener, opts);
      const rrweb = listener;
      return original.call(this, type, (event: Event) => (!isRrweb(event) || accept(event, document) ? rrweb.call(this, event) : undefined), opts);
    } as typeof window.addEventListener;
    try {
      return start();
    } finally {
      if (own) window.addEventListener = own;
      else delete (window as Partial<Window>).addEventListener;
    }
  };

  const hello = (frame: HTMLIFrameElement): void => {
    const win = frame.contentWindow;
    if (!win || !shareable(frame) || sameOriginDocument(frame)) return;
    let origin: string;
    try {
      const url = new URL(frame.src);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
      origin = url.origin;
    } catch {
      return;
    }
    if (!allowed(origin)) return;
    told.set(win, origin);
    // Addressed to the frame's origin: a frame that navigated elsewhere is not told.
    win.postMessage(FRAME_HELLO, origin);
  };

  const walk = (doc: Document, depth: number, greet: boolean): void => {
    guard(doc);
    for (const frame of doc.querySelectorAll('iframe')) {
      const inner = sameOriginDocument(frame);
      if (inner && depth < MAX_DEPTH) walk(inner, depth + 1, greet);
      else if (!inner && greet) hello(frame);
    }
  };

  const safely =
    (fn: () => void) =>
    (): void => {
      try {
        fn();
      } catch (error) {
        options.onError(error);
      }
    };

  safely(() => walk(document, 0, false))();
  return {
    isFrameEvent: (event) => fromFrames.has(event),
    whileStarting,
    announce: safely(() => {
      if (!stopped) walk(document, 0, true);
    }),
    stop: safely(() => {
      stopped = true;
      for (const [win, origin] of told) win.postMessage(FRAME_STOP, origin);
      told.clear();
      for (const fn of undo.splice(0)) fn();
    }),
  };
}
