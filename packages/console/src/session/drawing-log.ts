/**
 * Drawings and other agents' pointers, in the customer's document coordinates. Strokes and
 * rectangles are kept by id (a stroke sent again with the same id replaces the earlier one, so
 * progressive chunks just grow it); laser trails fade and are dropped. Pure functions.
 */
import type { DrawOp } from '@samepage/protocol';

export type Shape =
  | { kind: 'stroke'; id: string; owner: string; color: string; points: [number, number][] }
  | { kind: 'rect'; id: string; owner: string; color: string; x: number; y: number; width: number; height: number };

export interface Laser {
  key: number;
  owner: string;
  color: string;
  points: [number, number][];
  at: number;
}

export interface DrawingLog {
  shapes: Shape[];
  lasers: Laser[];
}

export const EMPTY_DRAWINGS: DrawingLog = { shapes: [], lasers: [] };

/** How long a laser trail stays visible. */
export const LASER_MS = 1200;
const MAX_SHAPES = 500;

let laserKey = 0;

export function applyDrawOp(log: DrawingLog, owner: string, color: string, op: DrawOp, now: number): DrawingLog {
  switch (op.kind) {
    case 'clear':
      // Clear removes every drawing in the session, whoever drew it.
      return EMPTY_DRAWINGS;
    case 'laser':
      return { ...log, lasers: [...pruneLasers(log.lasers, now), { key: ++laserKey, owner, color, points: op.points, at: now }] };
    case 'stroke':
      return { ...log, shapes: upsert(log.shapes, { kind: 'stroke', id: op.id, owner, color: op.color, points: op.points }) };
    case 'rect':
      return { ...log, shapes: upsert(log.shapes, { kind: 'rect', id: op.id, owner, color: op.color, x: op.x, y: op.y, width: op.width, height: op.height }) };
  }
}

export function pruneLasers(lasers: readonly Laser[], now: number): Laser[] {
  return lasers.filter((l) => now - l.at < LASER_MS);
}

function upsert(shapes: readonly Shape[], shape: Shape): Shape[] {
  const at = shapes.findIndex((s) => s.id === shape.id && s.owner === shape.owner);
  if (at >= 0) return shapes.map((s, i) => (i === at ? shape : s));
  return [...shapes, shape].slice(-MAX_SHAPES);
}

/** A fresh shape id (unique enough per session; the owner scopes it). */
export function createShapeId(): string {
  return `s_${Date.now().toString(36)}_${Math.floor(Math.random() * 0xffffff).toString(36)}`;
}

/** A colour valid in draw ops (#rrggbb); participants' colours may be other CSS colours. */
export function drawColor(color: string | undefined): string {
  return color && /^#[0-9a-fA-F]{6}$/.test(color) ? color : '#2563eb';
}
