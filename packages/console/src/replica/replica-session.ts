/**
 * The replica of one session, independent of React: frames are decoded the moment they arrive
 * (even before the live view is mounted), then applied to the attached adapter. While no adapter
 * is attached, the keyframe and the deltas after it are kept so the view can catch up.
 */
import { buildReplicaCsp } from '@samepage/protocol';
import { FrameDecoder, type DecoderStats, type ReplicaEvent } from './frame-decoder.ts';
import type { CreateReplicaAdapter, ReplicaAdapter, Rect } from './replica-adapter.ts';
import { readOverlayChange, type Point, type Viewport, type VisualViewport } from './rrweb-events.ts';
import { AssetRewriter, type AssetRouting } from './asset-rewriter.ts';
import { keepAssetRouting } from './asset-proxy-client.ts';

export interface OverlayState {
  viewport: Viewport | null;
  /** Pinch-zoom and on-screen keyboard (null until the SDK reports it, or from an older SDK). */
  visualViewport?: VisualViewport | null;
  pointer: Point | null;
  clicks: { id: number; x: number; y: number }[];
  focusId: number | null;
  /** The focused node's box in the customer's viewport coordinates. */
  focusRect: Rect | null;
  /** True once a keyframe has been applied. */
  ready: boolean;
  /** The replica's scroll: drawings in document coordinates are shifted by it. */
  scroll: Point;
}

/** A keyframe request that goes unanswered this long may be repeated. */
const KEYFRAME_RETRY_MS = 3000;
/** Deltas kept for a view that is not mounted yet; past this, a fresh keyframe is cheaper. */
const MAX_PENDING_DELTAS = 2000;
/** How long a click ripple stays in the overlay state. */
const CLICK_TTL_MS = 700;
/** The first keyframe waits at most this long for the asset proxy's token. */
const ASSET_ROUTING_WAIT_MS = 2000;

export class ReplicaSession {
  private readonly decoder = new FrameDecoder();
  private adapter: ReplicaAdapter | null = null;
  /** Until the site's origins are known, the replica may load nothing from the network. */
  private contentPolicy = buildReplicaCsp([]);
  private pendingKeyframe: ReplicaEvent[] | null = null;
  private pendingDeltas: ReplicaEvent[][] = [];
  private overlay: OverlayState = { viewport: null, pointer: null, clicks: [], focusId: null, focusRect: null, ready: false, scroll: { x: 0, y: 0 } };
  private readonly listeners = new Set<() => void>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private clickSeq = 0;
  private allowedOrigins: readonly string[] = [];
  /** Asset URLs the agent's browser cannot load go through the server's proxy (asset-rewriter.ts). */
  private readonly assets = new AssetRewriter(typeof location === 'undefined' ? '' : location.origin, typeof location !== 'undefined' && location.protocol === 'https:');
  private assetProxyUrl: string | undefined;
  private awaitingAssetRouting = false;
  private stopAssetRouting: (() => void) | null = null;

  constructor(private readonly requestKeyframe: () => void) {}

  /** Gets (and renews) the session's asset proxy token; the first keyframe waits for it, briefly. */
  useAssetProxy(sessionId: string): void {
    this.stopAssetRouting?.();
    this.awaitingAssetRouting = true;
    const giveUp = setTimeout(() => this.setAssetRouting(null), ASSET_ROUTING_WAIT_MS);
    this.stopAssetRouting = keepAssetRouting(sessionId, (routing) => {
      clearTimeout(giveUp);
      this.setAssetRouting(routing);
    });
  }

  setAssetRouting(routing: AssetRouting | null): void {
    this.assets.setRouting(routing);
    this.assetProxyUrl = routing?.proxy;
    this.contentPolicy = buildReplicaCsp(this.allowedOrigins, this.assetProxyUrl);
    if (!this.awaitingAssetRouting) return;
    this.awaitingAssetRouting = false;
    if (this.adapter && this.pendingKeyframe) this.flushPending();
  }

  /** Feeds one binary frame from the socket. */
  receiveFrame(frame: Uint8Array): void {
    const outcome = this.decoder.decode(frame);
    switch (outcome.kind) {
      case 'keyframe':
        this.clearRetry();
        this.pendingKeyframe = outcome.events;
        this.pendingDeltas = [];
        if (this.adapter) this.flushPending();
        break;
      case 'delta':
        if (this.adapter && !this.pendingKeyframe) this.applyDelta(outcome.events);
        else if (this.pendingDeltas.length < MAX_PENDING_DELTAS) this.pendingDeltas.push(outcome.events);
        else {
          this.pendingKeyframe = null;
          this.pendingDeltas = [];
          this.askForKeyframe();
        }
        break;
      case 'lost_sync':
        console.warn('[samepage] replica out of sync:', outcome.reason);
        if (outcome.requestKeyframe) this.askForKeyframe();
        break;
      case 'invalid':
        console.warn('[samepage] ignored a binary frame:', outcome.reason);
        break;
    }
  }

  /** Mounts the replica into `root`; returns the detach function. */
  attach(root: HTMLElement, createAdapter: CreateReplicaAdapter): () => void {
    this.adapter?.destroy();
    this.adapter = createAdapter(root, () => this.contentPolicy);
    if (this.pendingKeyframe) this.flushPending();
    else if (this.overlay.ready) {
      // Re-mounted after the buffered events were handed to a previous view: start over.
      this.overlay = { ...this.overlay, ready: false };
      this.askForKeyframe();
    }
    return () => {
      this.adapter?.destroy();
      this.adapter = null;
    };
  }

  /** The site's allowed origins decide what the replica may load (nothing else, ever). */
  setAllowedOrigins(origins: readonly string[]): void {
    this.allowedOrigins = origins;
    this.contentPolicy = buildReplicaCsp(origins, this.assetProxyUrl);
  }

  getAdapter(): ReplicaAdapter | null {
    return this.adapter;
  }

  stats(): DecoderStats {
    return this.decoder.stats();
  }

  getOverlay = (): OverlayState => this.overlay;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Recomputes boxes that depend on layout (after a resize, or on demand). */
  refreshLayout(): void {
    const focusRect = this.overlay.focusId === null ? null : (this.adapter?.nodeRect(this.overlay.focusId) ?? null);
    const scroll = this.adapter?.scroll() ?? this.overlay.scroll;
    const scrolled = scroll.x !== this.overlay.scroll.x || scroll.y !== this.overlay.scroll.y;
    if (!sameRect(focusRect, this.overlay.focusRect) || scrolled) this.setOverlay({ ...this.overlay, focusRect, scroll: scrolled ? scroll : this.overlay.scroll });
  }

  dispose(): void {
    this.clearRetry();
    this.stopAssetRouting?.();
    this.stopAssetRouting = null;
    this.adapter?.destroy();
    this.adapter = null;
    this.assets.dispose();
    this.listeners.clear();
  }

  private flushPending(): void {
    const adapter = this.adapter;
    const keyframe = this.pendingKeyframe;
    if (!adapter || !keyframe || this.awaitingAssetRouting) return;
    this.pendingKeyframe = null;
    const deltas = this.pendingDeltas;
    this.pendingDeltas = [];
    try {
      adapter.load(this.assets.rewrite(keyframe));
    } catch (error) {
      console.warn('[samepage] the replica could not be built:', error);
      this.askForKeyframe();
      return;
    }
    this.overlay = { viewport: this.overlay.viewport, visualViewport: this.overlay.visualViewport ?? null, pointer: null, clicks: [], focusId: null, focusRect: null, ready: true, scroll: { x: 0, y: 0 } };
    this.noteEvents(keyframe);
    for (const events of deltas) this.applyDelta(events);
  }

  private applyDelta(events: ReplicaEvent[]): void {
    try {
      this.adapter?.apply(this.assets.rewrite(events));
    } catch (error) {
      console.warn('[samepage] a change could not be applied:', error);
      this.askForKeyframe();
      return;
    }
    this.noteEvents(events);
  }

  private noteEvents(events: readonly ReplicaEvent[]): void {
    const change = readOverlayChange(events);
    const next: OverlayState = { ...this.overlay };
    if (change.viewport) next.viewport = change.viewport;
    if (change.visualViewport) next.visualViewport = change.visualViewport;
    if (change.pointer) next.pointer = change.pointer;
    if (change.focusId !== undefined) next.focusId = change.focusId;
    if (change.clicks.length > 0) {
      const added = change.clicks.map((c) => ({ id: ++this.clickSeq, x: c.x, y: c.y }));
      next.clicks = [...next.clicks, ...added].slice(-8);
      setTimeout(() => this.expireClicks(added.map((c) => c.id)), CLICK_TTL_MS);
    }
    this.setOverlay(next);
    // Focus boxes move with scrolls and mutations: measure once the events are in the DOM.
    this.adapter?.afterApplied(() => this.refreshLayout());
  }

  private expireClicks(ids: number[]): void {
    const clicks = this.overlay.clicks.filter((c) => !ids.includes(c.id));
    if (clicks.length !== this.overlay.clicks.length) this.setOverlay({ ...this.overlay, clicks });
  }

  private setOverlay(next: OverlayState): void {
    this.overlay = next;
    for (const listener of this.listeners) listener();
  }

  private askForKeyframe(): void {
    this.requestKeyframe();
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.decoder.allowKeyframeRequest();
    }, KEYFRAME_RETRY_MS);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

function sameRect(a: Rect | null, b: Rect | null): boolean {
  if (a === null || b === null) return a === b;
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
