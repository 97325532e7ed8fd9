/**
 * The replica, rendered by rrweb's Replayer (rrweb 2.2.2) in live mode.
 *
 * A Replayer is rebuilt on every keyframe, so its never-pruned event list is bounded by one
 * epoch. `startLive(Number.MAX_SAFE_INTEGER)` puts the baseline in the far future: every event
 * passed to `addEvent` then takes rrweb's synchronous path (`isSync = timestamp < baselineTime`),
 * which applies it in a microtask instead of when the viewer's clock reaches the customer's, and
 * scrolls with `behavior: 'auto'`. The Replayer is created with no events and the keyframe's
 * events go through `addEvent` too, so the full snapshot is built at once (the constructor would
 * otherwise build it in a timeout). In sync mode rrweb draws no mouse; the overlay does.
 */
import { Replayer, type ReplayPlugin } from 'rrweb';
import { t } from '../i18n/index.ts';
import type { ReplicaEvent } from './frame-decoder.ts';
import type { ReplicaAdapter, Rect } from './replica-adapter.ts';
import { createCanvasFramePlugin } from './replica-canvas.ts';
import { createFramePlaceholderPlugin } from './replica-frames.ts';
import { createMediaPlugin, MEDIA_STYLE_RULES } from './replica-media.ts';
import { createStatePlugin } from './replica-states.ts';

/** Added to blocked elements (rrweb keeps their size as rr_width/rr_height and drops the rest). */
const BLOCKED_CLASS = 'samepage-blocked';

export const STYLE_RULES = [
  // rr_width/rr_height are the recorded border box, so padding must not add to them.
  `.rr-block, .${BLOCKED_CLASS} { background: #d1d5db !important; background-image: none !important; box-sizing: border-box !important; border-radius: 4px; }`,
  // Smooth scrolling in the customer's CSS would make replayed scrolls animate.
  'html, body, * { scroll-behavior: auto !important; }',
  ...MEDIA_STYLE_RULES,
];

/** Marks rebuilt blocked nodes so they paint as grey boxes of their recorded size. */
export const markBlockedNodes: ReplayPlugin = {
  handler() {},
  onBuild(node, { replayer }) {
    // The node lives in the replica's realm, so `instanceof Element` would be false.
    if ((node as Node).nodeType !== 1) return;
    const meta = replayer.getMirror().getMeta(node as Node);
    if (meta && meta.type === 2 && 'rr_width' in meta.attributes) (node as Element).classList.add(BLOCKED_CLASS);
  },
};

/**
 * The replica iframe is about:blank and inherits the console's CSP, which must let assets of any
 * customer site load. A meta CSP in the replica narrows that to the site's allowed origins, so a
 * hostile page cannot make the agent's browser call other hosts (CSS beacons, srcset, prefetch).
 * It goes in before the snapshot is built: rrweb's detached <img> elements start loading at once.
 */
export function lockDown(replayer: Replayer, policy: string): void {
  const doc = replayer.iframe.contentDocument;
  if (!doc) return;
  const meta = doc.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = policy;
  (doc.head ?? doc.documentElement).appendChild(meta);
}

/**
 * Where a node's own document sits in the replica's top document: a node inside a (same-origin)
 * frame of the page has its box in the frame's viewport, so each frame's content-box position
 * is added on the way up.
 */
function frameOffset(node: Node, top: Document | null): { x: number; y: number } {
  const offset = { x: 0, y: 0 };
  let doc = node.ownerDocument;
  for (let depth = 0; doc && doc !== top && depth < 16; depth++) {
    const frame = doc.defaultView?.frameElement as HTMLElement | null | undefined;
    if (!frame) break;
    const box = frame.getBoundingClientRect();
    offset.x += box.left + frame.clientLeft;
    offset.y += box.top + frame.clientTop;
    doc = frame.ownerDocument;
  }
  return offset;
}

export function createRrwebAdapter(root: HTMLElement, contentPolicy: () => string): ReplicaAdapter {
  let replayer: Replayer | null = null;

  const add = (events: readonly ReplicaEvent[]) => {
    if (!replayer) return;
    // The wire format is rrweb's own event format; the decoder only checked its outer shape.
    for (const event of events) replayer.addEvent(event as unknown as Parameters<Replayer['addEvent']>[0]);
  };

  return {
    load(events) {
      replayer?.destroy();
      root.replaceChildren();
      replayer = new Replayer([], {
        root,
        liveMode: true,
        useVirtualDom: false,
        mouseTail: false,
        showWarning: false,
        UNSAFE_replayCanvas: false,
        triggerFocus: false,
        pauseAnimation: false,
        insertStyleRules: STYLE_RULES,
        plugins: [markBlockedNodes, createCanvasFramePlugin(), createStatePlugin(), createMediaPlugin(), createFramePlaceholderPlugin(t.frameNotShared)],
      });
      lockDown(replayer, contentPolicy());
      replayer.startLive(Number.MAX_SAFE_INTEGER);
      add(events);
    },
    apply(events) {
      add(events);
    },
    afterApplied(callback) {
      // addEvent applies each event in its own microtask, in order; this one runs after them.
      queueMicrotask(() => queueMicrotask(callback));
    },
    document() {
      return replayer?.iframe.contentDocument ?? null;
    },
    scroll() {
      const win = replayer?.iframe.contentWindow;
      return { x: win?.scrollX ?? 0, y: win?.scrollY ?? 0 };
    },
    nodeRect(id): Rect | null {
      const node = replayer?.getMirror().getNode(id);
      if (!node || !(node as Element).getBoundingClientRect) return null;
      const box = (node as Element).getBoundingClientRect();
      const offset = frameOffset(node, replayer?.iframe.contentDocument ?? null);
      return { x: box.left + offset.x, y: box.top + offset.y, width: box.width, height: box.height };
    },
    idOf(node) {
      return replayer?.getMirror().getId(node) ?? -1;
    },
    nodeOf(id) {
      return (replayer?.getMirror().getNode(id) as Node | null | undefined) ?? null;
    },
    destroy() {
      replayer?.destroy();
      replayer = null;
      root.replaceChildren();
    },
  };
}
