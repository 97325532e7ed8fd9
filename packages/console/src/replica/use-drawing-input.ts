/**
 * The drawing tools on the replica: laser trails sent in small batches while the mouse moves,
 * freehand strokes sent in growing chunks under one id, and highlight rectangles on release.
 * Every point is in the customer's document coordinates.
 */
import { useEffect, useRef, useState } from 'react';
import type { DrawOp } from '@samepage/protocol';
import { boxBetween, roundPoint, type Box, type Point } from './coords.ts';
import { createShapeId } from '../session/drawing-log.ts';

export type Tool = 'pointer' | 'laser' | 'draw' | 'highlight';

const LASER_BATCH_MS = 50;
const STROKE_CHUNK_MS = 150;
const MAX_STROKE_POINTS = 4000;
const MIN_RECT = 4;

export interface DrawingInput {
  down(doc: Point): void;
  move(doc: Point, buttons: number): void;
  up(doc: Point): void;
  /** The highlight being dragged, in document coordinates, for a local preview. */
  preview: Box | null;
}

export function useDrawingInput(tool: Tool, color: string, onDraw: (op: DrawOp) => void): DrawingInput {
  const laser = useRef<{ points: [number, number][]; timer: ReturnType<typeof setTimeout> | null }>({ points: [], timer: null });
  const stroke = useRef<{ id: string; points: [number, number][]; timer: ReturnType<typeof setTimeout> | null } | null>(null);
  const rectStart = useRef<Point | null>(null);
  const [preview, setPreview] = useState<Box | null>(null);
  const draw = useRef(onDraw);
  draw.current = onDraw;

  const flushLaser = () => {
    const l = laser.current;
    l.timer = null;
    if (l.points.length === 0) return;
    draw.current({ kind: 'laser', points: l.points.slice(0, 256) });
    // Keep the last point so consecutive batches join into one trail.
    l.points = l.points.slice(-1);
  };
  const sendStroke = () => {
    const s = stroke.current;
    if (!s) return;
    s.timer = null;
    if (s.points.length > 0) draw.current({ kind: 'stroke', id: s.id, color, points: s.points });
  };

  useEffect(() => {
    // Switching tools ends whatever was in progress.
    rectStart.current = null;
    setPreview(null);
    if (stroke.current) sendStroke();
    stroke.current = null;
    laser.current.points = [];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tool]);

  useEffect(() => () => {
    if (laser.current.timer) clearTimeout(laser.current.timer);
    if (stroke.current?.timer) clearTimeout(stroke.current.timer);
  }, []);

  return {
    preview,
    down(doc) {
      if (tool === 'draw') stroke.current = { id: createShapeId(), points: [roundPoint(doc)], timer: null };
      else if (tool === 'highlight') {
        rectStart.current = doc;
        setPreview(boxBetween(doc, doc));
      }
    },
    move(doc, buttons) {
      if (tool === 'laser') {
        laser.current.points.push(roundPoint(doc));
        laser.current.timer ??= setTimeout(flushLaser, LASER_BATCH_MS);
      } else if (tool === 'draw' && stroke.current && buttons & 1) {
        const s = stroke.current;
        if (s.points.length < MAX_STROKE_POINTS) s.points.push(roundPoint(doc));
        s.timer ??= setTimeout(sendStroke, STROKE_CHUNK_MS);
      } else if (tool === 'highlight' && rectStart.current) {
        setPreview(boxBetween(rectStart.current, doc));
      }
    },
    up(doc) {
      if (tool === 'draw' && stroke.current) {
        const s = stroke.current;
        if (s.timer) clearTimeout(s.timer);
        if (s.points.length === 1) s.points.push(roundPoint(doc));
        sendStroke();
        stroke.current = null;
      } else if (tool === 'highlight' && rectStart.current) {
        const box = boxBetween(rectStart.current, doc);
        rectStart.current = null;
        setPreview(null);
        if (box.width >= MIN_RECT && box.height >= MIN_RECT) {
          const [x, y] = roundPoint(box);
          draw.current({ kind: 'rect', id: createShapeId(), color, x, y, width: Math.round(box.width), height: Math.round(box.height) });
        }
      }
    },
  };
}
