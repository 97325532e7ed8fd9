/**
 * The live replica: the customer's viewport at its real size, scaled to fit the stage, with the
 * overlay on top. The agent's pointer goes back in the customer's document coordinates.
 */
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type MouseEvent, type RefObject } from 'react';
import { t } from '../i18n/index.ts';
import { createRrwebAdapter } from './rrweb-adapter.ts';
import type { ReplicaSession } from './replica-session.ts';
import { PointerOverlay } from './pointer-overlay.tsx';
import { InputLayer, type Interaction } from './input-layer.tsx';

/** Room kept around the replica inside the stage, in CSS px. */
const STAGE_PADDING = 32;
/** Room under the replica for the viewport label. */
const LABEL_ROOM = 28;

export interface ReplicaViewProps {
  replica: ReplicaSession;
  greyed: boolean;
  onPointer: (x: number | null, y: number | null) => void;
  /** Tools, control and drawings; absent for a view-only replica. */
  interaction: Interaction;
}

function useElementSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** Sends at most one pointer message per animation frame, always the latest position. */
function usePointerSender(onPointer: ReplicaViewProps['onPointer']) {
  const latest = useRef<{ x: number; y: number } | null>(null);
  const frame = useRef<number | null>(null);
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);
  return {
    move(x: number, y: number) {
      latest.current = { x, y };
      if (frame.current !== null) return;
      frame.current = requestAnimationFrame(() => {
        frame.current = null;
        if (latest.current) onPointer(latest.current.x, latest.current.y);
      });
    },
    leave() {
      latest.current = null;
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
      onPointer(null, null);
    },
  };
}

export function ReplicaView({ replica, greyed, onPointer, interaction }: ReplicaViewProps) {
  const stageRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const overlay = useSyncExternalStore(replica.subscribe, replica.getOverlay);
  const stage = useElementSize(stageRef);
  const pointer = usePointerSender(onPointer);

  useEffect(() => {
    const root = rootRef.current;
    if (!root) return;
    return replica.attach(root, createRrwebAdapter);
  }, [replica]);

  const viewport = overlay.viewport;
  const scale = viewport
    ? Math.max(0.05, Math.min(1, (stage.width - STAGE_PADDING * 2) / viewport.width, (stage.height - STAGE_PADDING * 2 - LABEL_ROOM) / viewport.height))
    : 1;

  useEffect(() => replica.refreshLayout(), [replica, scale]);

  // A touch device: phone-sized (shorter side up to 600 px) or tablet. Shown in a CSS device frame.
  const visual = overlay.visualViewport ?? null;
  const device = viewport && visual?.touch ? (Math.min(viewport.width, viewport.height) <= 600 ? 'phone' : 'tablet') : null;
  // Pinch-zoom or an on-screen keyboard: the customer sees only part of the layout viewport.
  // (The visual viewport excludes scrollbars, hence the 40 px of slack.)
  const partial =
    viewport && visual && (visual.scale > 1.01 || visual.width < viewport.width - 40 || visual.height < viewport.height - 40) ? visual : null;

  const handleMove = (event: MouseEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const scroll = replica.getAdapter()?.scroll() ?? { x: 0, y: 0 };
    pointer.move((event.clientX - box.left) / scale + scroll.x, (event.clientY - box.top) / scale + scroll.y);
  };

  return (
    <div className="replica-stage" ref={stageRef}>
      <div className={`replica-column${overlay.ready && viewport ? '' : ' replica-pending'}`}>
        <div className={device ? `device-frame device-${device}` : 'device-none'} data-testid="device-frame" data-device={device ?? 'none'} aria-label={device ? t.deviceFrameLabel(device) : undefined}>
          <div
            className={`replica-frame${greyed ? ' replica-greyed' : ''}`}
            role="region"
            aria-label={t.replicaLabel}
            data-testid="replica"
            data-scale={scale}
            style={viewport ? { width: viewport.width * scale, height: viewport.height * scale } : undefined}
            onMouseMove={handleMove}
            onMouseLeave={() => pointer.leave()}
          >
            <div
              className="replica-scaler"
              ref={rootRef}
              style={viewport ? { width: viewport.width, height: viewport.height, transform: `scale(${scale})` } : undefined}
            />
            <PointerOverlay overlay={overlay} scale={scale} />
            {viewport && <InputLayer {...interaction} replica={replica} scale={scale} scroll={overlay.scroll} viewport={viewport} />}
            {partial && (
              <div
                className="visual-viewport"
                data-testid="visual-viewport"
                data-scale={partial.scale}
                aria-hidden="true"
                style={{ left: partial.x * scale, top: partial.y * scale, width: partial.width * scale, height: partial.height * scale }}
              />
            )}
          </div>
        </div>
        {viewport && (
          <p className="viewport-label" data-testid="viewport-label">
            {t.viewportLabel(viewport.width, viewport.height)}
            {partial && <span data-testid="visual-viewport-label"> · {t.visualViewportLabel(partial.scale, partial.width, partial.height)}</span>}
          </p>
        )}
      </div>
      {!overlay.ready && <p className="replica-waiting">{t.statusWaiting}</p>}
    </div>
  );
}
