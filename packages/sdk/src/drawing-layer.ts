/**
 * Agents' drawings over the customer's page: laser trails that fade, freehand strokes and
 * highlight rectangles. Ops arrive in document coordinates, so the shapes sit in one SVG group
 * translated by the scroll offset and stay over the content they mark. The layer is
 * pointer-events:none inside our (recording-blocked) shadow root, and drawn with the widget off.
 */
import type { DrawOp } from '@samepage/protocol';
import { safeColor } from './pointer-layer.ts';

export const DRAWING_CSS =
  '.sp-drawing{position:fixed;inset:0;width:100vw;height:100vh;pointer-events:none;overflow:visible}' +
  '.sp-laser{transition:opacity 1s ease-out}.sp-laser.sp-fading{opacity:0}';

export const LASER_MS = 1000;
/** Beyond this many shapes the oldest go: a stuck agent cannot fill the page's memory. */
export const MAX_SHAPES = 500;
const SVG_NS = 'http://www.w3.org/2000/svg';

export interface DrawingLayer {
  draw(participantId: string, color: string, op: DrawOp): void;
  /** Removes one agent's strokes and highlights (they left: nobody could clear them any more). */
  forget(participantId: string): void;
  clear(): void;
  destroy(): void;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

const pointsAttr = (points: readonly (readonly [number, number])[]): string => points.map(([x, y]) => `${x},${y}`).join(' ');

const reducedMotion = (): boolean => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/**
 * @example
 *   const drawing = createDrawingLayer(widget.drawingContainer);
 *   drawing.draw('a1', '#e11d48', { kind: 'rect', id: 'r1', color: '#e11d48', x: 10, y: 900, width: 200, height: 40 });
 */
export function createDrawingLayer(container: HTMLElement): DrawingLayer {
  const root = svg('svg', { class: 'sp-drawing', 'aria-hidden': 'true' });
  const group = svg('g', {});
  root.append(group);
  container.append(root);
  const shapes = new Map<string, SVGElement>();

  const follow = (): void => group.setAttribute('transform', `translate(${-window.scrollX} ${-window.scrollY})`);
  follow();
  window.addEventListener('scroll', follow, { passive: true });
  window.addEventListener('resize', follow, { passive: true });

  const keep = (key: string, node: SVGElement): void => {
    shapes.get(key)?.remove();
    shapes.delete(key); // re-insert: the Map's order is the age order
    shapes.set(key, node);
    group.append(node);
    while (shapes.size > MAX_SHAPES) {
      const [oldest] = shapes.keys();
      if (oldest === undefined) break;
      shapes.get(oldest)?.remove();
      shapes.delete(oldest);
    }
  };

  const laser = (color: string, points: readonly (readonly [number, number])[]): void => {
    if (points.length === 0) return;
    const trail = svg('g', { class: 'sp-laser' });
    const line = { points: pointsAttr(points.length === 1 ? [points[0]!, points[0]!] : points), fill: 'none', stroke: color, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };
    trail.append(svg('polyline', { ...line, 'stroke-width': 10, 'stroke-opacity': 0.25 }), svg('polyline', { ...line, 'stroke-width': 4 }));
    group.append(trail);
    if (reducedMotion()) {
      setTimeout(() => trail.remove(), LASER_MS);
      return;
    }
    requestAnimationFrame(() => requestAnimationFrame(() => trail.classList.add('sp-fading')));
    setTimeout(() => trail.remove(), LASER_MS + 100);
  };

  return {
    draw(participantId, color, op) {
      switch (op.kind) {
        case 'laser':
          return laser(safeColor(color), op.points);
        case 'stroke':
          return keep(`${participantId}:${op.id}`, svg('polyline', {
            points: pointsAttr(op.points),
            fill: 'none',
            stroke: op.color,
            'stroke-width': 3,
            'stroke-linecap': 'round',
            'stroke-linejoin': 'round',
          }));
        case 'rect': {
          const x = Math.min(op.x, op.x + op.width);
          const y = Math.min(op.y, op.y + op.height);
          return keep(`${participantId}:${op.id}`, svg('rect', {
            x, y, width: Math.abs(op.width), height: Math.abs(op.height), rx: 6,
            fill: op.color, 'fill-opacity': 0.14, stroke: op.color, 'stroke-width': 2,
          }));
        }
        case 'clear':
          return this.clear();
      }
    },
    forget(participantId) {
      const prefix = `${participantId}:`;
      for (const [key, node] of shapes) {
        if (!key.startsWith(prefix)) continue;
        node.remove();
        shapes.delete(key);
      }
    },
    clear() {
      group.replaceChildren();
      shapes.clear();
    },
    destroy() {
      window.removeEventListener('scroll', follow);
      window.removeEventListener('resize', follow);
      root.remove();
    },
  };
}
