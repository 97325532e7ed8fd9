/**
 * Open popovers. `:popover-open` is state, not an attribute, so rrweb's snapshot and mutation
 * records never show it and the replica's popovers stayed hidden. Each change (the `toggle`
 * event, which does not bubble, so it is caught on the way down) and every open popover after a
 * keyframe is sent as a small rrweb custom event; the console calls showPopover() on its copy.
 * Modal dialogs need nothing here: rrweb records them (`rr_open_mode`).
 */
import { EventType, type RecordedEvent } from './rrweb-events.ts';

/** rrweb custom event (type 5): { id, open } of a popover element. */
export const POPOVER_TAG = 'samepage:popover';

export interface PopoverCapture {
  drain(): RecordedEvent[];
  /** A keyframe carries no popover state: sends every open popover again with the next drain. */
  resendAfterKeyframe(): void;
  stop(): void;
}

/**
 * @example
 *   const popovers = startPopoverCapture({ getId: rec.getId, onPending: writer.schedule });
 */
export function startPopoverCapture(options: { getId(node: Node): number; onPending(): void }): PopoverCapture {
  const pending = new Map<Element, boolean>();
  const note = (el: Element): void => {
    pending.set(el, el.matches(':popover-open'));
    options.onPending();
  };
  const scan = (): void => {
    try {
      for (const el of Array.from(document.querySelectorAll('[popover]'))) if (el.matches(':popover-open')) note(el);
    } catch {
      // a browser without popovers: nothing to send
    }
  };
  const onToggle = (event: Event): void => {
    try {
      const el = event.target;
      if (el instanceof Element && el.hasAttribute('popover')) note(el);
    } catch {
      // never an error in the page for a popover
    }
  };
  document.addEventListener('toggle', onToggle, true);
  scan();
  return {
    drain() {
      const events: RecordedEvent[] = [];
      for (const [el, open] of pending) {
        const id = options.getId(el);
        if (id >= 0) events.push({ type: EventType.Custom, timestamp: Date.now(), data: { tag: POPOVER_TAG, payload: { id, open } } });
      }
      pending.clear();
      return events;
    },
    resendAfterKeyframe: scan,
    stop: () => document.removeEventListener('toggle', onToggle, true),
  };
}
