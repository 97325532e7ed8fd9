/**
 * What the console reads from rrweb events itself (pointer, clicks, focus, viewport). The
 * numbers are rrweb 2.x's EventType / IncrementalSource / MouseInteractions enums, copied so
 * this module stays free of the DOM and of the rrweb bundle.
 */
import type { ReplicaEvent } from './frame-decoder.ts';

export const EventType = { FullSnapshot: 2, IncrementalSnapshot: 3, Meta: 4, Custom: 5 } as const;
/** The SDK's custom event with the visual viewport (pinch-zoom, on-screen keyboard): motion-capture.ts. */
export const VISUAL_VIEWPORT_TAG = 'samepage:visual-viewport';
export const Source = { MouseMove: 1, MouseInteraction: 2, Scroll: 3, ViewportResize: 4, TouchMove: 6, Drag: 12 } as const;
export const Interaction = { Click: 2, Focus: 5, Blur: 6 } as const;

export interface Viewport {
  width: number;
  height: number;
}

/** The customer's visual viewport: the part of the layout viewport on screen, in CSS px. */
export interface VisualViewport {
  scale: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The customer's device has a touch screen (phone or tablet). */
  touch: boolean;
}

export interface Point {
  x: number;
  y: number;
}

/** What a batch of events changes in the overlay; absent fields are unchanged. */
export interface OverlayChange {
  viewport?: Viewport;
  visualViewport?: VisualViewport;
  /** The customer's pointer, in the customer's viewport coordinates. */
  pointer?: Point;
  clicks: Point[];
  /** Mirror id of the focused node; null when focus left it. */
  focusId?: number | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function readViewport(data: Record<string, unknown>): Viewport | null {
  const width = num(data.width);
  const height = num(data.height);
  return width !== null && height !== null && width > 0 && height > 0 ? { width, height } : null;
}

function readIncremental(data: Record<string, unknown>, change: OverlayChange): void {
  switch (data.source) {
    case Source.MouseMove:
    case Source.TouchMove:
    case Source.Drag: {
      const positions = Array.isArray(data.positions) ? data.positions : [];
      const last = record(positions[positions.length - 1]);
      const x = num(last?.x);
      const y = num(last?.y);
      if (x !== null && y !== null) change.pointer = { x, y };
      break;
    }
    case Source.MouseInteraction: {
      const id = num(data.id);
      if (data.type === Interaction.Focus && id !== null) change.focusId = id;
      else if (data.type === Interaction.Blur && id !== null) change.focusId = null;
      else if (data.type === Interaction.Click) {
        const x = num(data.x);
        const y = num(data.y);
        if (x !== null && y !== null) {
          change.clicks.push({ x, y });
          change.pointer = { x, y };
        }
      }
      break;
    }
    case Source.ViewportResize: {
      const viewport = readViewport(data);
      if (viewport) change.viewport = viewport;
      break;
    }
  }
}

/** Folds a batch of events, in order, into the overlay change it causes. */
export function readOverlayChange(events: readonly ReplicaEvent[]): OverlayChange {
  const change: OverlayChange = { clicks: [] };
  for (const event of events) {
    const data = record(event.data);
    if (!data) continue;
    if (event.type === EventType.Meta) {
      const viewport = readViewport(data);
      if (viewport) change.viewport = viewport;
    } else if (event.type === EventType.FullSnapshot) {
      change.focusId = null;
    } else if (event.type === EventType.IncrementalSnapshot) {
      readIncremental(data, change);
    } else if (event.type === EventType.Custom && data.tag === VISUAL_VIEWPORT_TAG) {
      const p = record(data.payload);
      const [scale, x, y, width, height] = [num(p?.scale), num(p?.x), num(p?.y), num(p?.width), num(p?.height)];
      if (scale !== null && x !== null && y !== null && width !== null && height !== null && scale > 0) change.visualViewport = { scale, x, y, width, height, touch: p?.touch === true };
    }
  }
  return change;
}
