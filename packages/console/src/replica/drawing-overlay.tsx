/**
 * Everyone's drawings and the other agents' pointers over the replica. They are kept in the
 * customer's document coordinates and shifted by the replica's scroll, so they stay on the content.
 */
import type { Participant } from '@samepage/protocol';
import type { Box, Point } from './coords.ts';
import { documentToLocal } from './coords.ts';
import type { Presence } from '../session/presence-store.ts';
import type { Viewport } from './rrweb-events.ts';

interface Props {
  presence: Presence;
  participants: readonly Participant[];
  selfId: string | null;
  scale: number;
  scroll: Point;
  viewport: Viewport;
  preview: Box | null;
  color: string;
}

const pointsAttr = (points: readonly [number, number][]) => points.map(([x, y]) => `${x},${y}`).join(' ');

export function DrawingOverlay({ presence, participants, selfId, scale, scroll, viewport, preview, color }: Props) {
  const { shapes, lasers } = presence.drawings;
  const others = Object.entries(presence.pointers).filter(([id]) => id !== selfId);
  return (
    <div className="drawing-overlay" aria-hidden="true">
      <svg width={viewport.width * scale} height={viewport.height * scale} data-testid="drawings" data-shapes={shapes.length}>
        <g transform={`scale(${scale}) translate(${-scroll.x} ${-scroll.y})`}>
          {shapes.map((s) =>
            s.kind === 'stroke' ? (
              <polyline key={`${s.owner}:${s.id}`} className="draw-stroke" points={pointsAttr(s.points)} stroke={s.color} />
            ) : (
              <rect key={`${s.owner}:${s.id}`} className="draw-rect" x={s.x} y={s.y} width={s.width} height={s.height} stroke={s.color} fill={s.color} />
            ),
          )}
          {preview && <rect className="draw-rect draw-preview" x={preview.x} y={preview.y} width={preview.width} height={preview.height} stroke={color} fill={color} />}
          {lasers.map((l) => (
            <polyline key={l.key} className="laser-trail" points={pointsAttr(l.points)} stroke={l.color} />
          ))}
        </g>
      </svg>
      {others.map(([id, point]) => {
        const who = participants.find((p) => p.id === id);
        const at = documentToLocal(point, scale, scroll);
        return (
          <div key={id} className="agent-pointer" data-testid="agent-pointer" data-name={who?.name} style={{ transform: `translate(${at.x}px, ${at.y}px)` }}>
            <svg width="16" height="20" viewBox="0 0 20 24">
              <path d="M1.5 1.5 L1.5 19 L6.2 14.6 L9.3 21.8 L12.6 20.4 L9.6 13.3 L16 13.3 Z" fill={who?.color ?? '#6b7280'} stroke="#fff" strokeWidth="1.5" strokeLinejoin="round" />
            </svg>
            <span className="agent-pointer-label" style={{ background: who?.color ?? '#6b7280' }}>
              {who?.name ?? ''}
            </span>
          </div>
        );
      })}
    </div>
  );
}
