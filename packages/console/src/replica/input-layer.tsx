/**
 * A transparent layer above the replica that takes the agent's mouse, keys and wheel. The replica
 * iframe stays sandboxed without scripts and never receives events; the active tool decides
 * whether a press is a control action (Pointer, while in control) or a drawing.
 */
import { useRef, type KeyboardEvent, type MouseEvent } from 'react';
import type { ControlAction, DrawOp, Participant } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { localToDocument, localToViewport, type Point } from './coords.ts';
import { DrawingOverlay } from './drawing-overlay.tsx';
import type { ReplicaSession } from './replica-session.ts';
import type { Viewport } from './rrweb-events.ts';
import { SelectPicker } from './select-picker.tsx';
import { useControlInput } from './use-control-input.ts';
import { useDrawingInput, type Tool } from './use-drawing-input.ts';
import type { Presence } from '../session/presence-store.ts';

export interface Interaction {
  tool: Tool;
  inControl: boolean;
  color: string;
  presence: Presence;
  participants: readonly Participant[];
  selfId: string | null;
  onAction: (action: ControlAction) => void;
  onDraw: (op: DrawOp) => void;
  onNotice: (text: string) => void;
}

interface Props extends Interaction {
  replica: ReplicaSession;
  scale: number;
  scroll: Point;
  viewport: Viewport;
}

export function InputLayer(props: Props) {
  const { replica, scale, scroll, viewport, tool, inControl } = props;
  const layer = useRef<HTMLDivElement>(null);
  const controlling = inControl && tool === 'pointer';
  const control = useControlInput({ replica, scale, enabled: inControl, layer, onAction: props.onAction, onNotice: props.onNotice });
  const drawing = useDrawingInput(tool, props.color, props.onDraw);

  const local = (event: MouseEvent<HTMLDivElement>): Point => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  // The replica's live scroll, read at the moment of the event (the overlay state may lag a frame).
  const doc = (event: MouseEvent<HTMLDivElement>) => localToDocument(local(event), scale, replica.getAdapter()?.scroll() ?? scroll);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (control.picker) return;
    control.key(event);
  };

  return (
    <>
      <DrawingOverlay
        presence={props.presence}
        participants={props.participants}
        selfId={props.selfId}
        scale={scale}
        scroll={scroll}
        viewport={viewport}
        preview={drawing.preview}
        color={props.color}
      />
      <div
        ref={layer}
        className={`input-layer tool-${tool}${inControl ? ' in-control' : ''}`}
        data-testid="replica-input"
        tabIndex={inControl ? 0 : -1}
        role={inControl ? 'application' : undefined}
        aria-label={inControl ? t.controlSurface : undefined}
        onMouseDown={(event) => {
          if (event.button !== 0) return;
          if (inControl) event.currentTarget.focus();
          if (tool !== 'pointer') {
            event.preventDefault();
            drawing.down(doc(event));
          }
        }}
        onMouseMove={(event) => tool !== 'pointer' && drawing.move(doc(event), event.buttons)}
        onMouseUp={(event) => event.button === 0 && tool !== 'pointer' && drawing.up(doc(event))}
        onClick={(event) => controlling && control.click(localToViewport(local(event), scale), event.detail)}
        onKeyDown={onKeyDown}
      />
      {control.picker && <SelectPicker picker={control.picker} onChoose={control.choose} onClose={control.closePicker} />}
    </>
  );
}
