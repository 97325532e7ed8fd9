/**
 * Remote control from the replica: the agent's clicks, keys and wheel on the transparent layer
 * over the replica become `control_action`s for the customer's tab. Typed characters are batched
 * per animation frame; wheel turns are sent as absolute scroll positions.
 */
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { ControlAction, ControlTarget } from '@samepage/protocol';
import { t } from '../i18n/index.ts';
import { wheelPixels, type Point } from './coords.ts';
import { readKey, type KeyLike } from './key-map.ts';
import { elementAt, isChecked, kindOf, readOptions, scrollTargetAt, targetById, targetFor, type SelectOption } from './replica-dom.ts';
import type { ReplicaSession } from './replica-session.ts';

export interface SelectPicker {
  target: ControlTarget;
  options: SelectOption[];
  /** Where to show the picker: the select's box in local (scaled) px. */
  at: { x: number; y: number; width: number };
}

/** A scroll we sent is the base for the next wheel turn until the replica catches up. */
const SCROLL_BASE_MS = 600;

export interface ControlInput {
  click(viewport: Point, detail: number): void;
  key(event: KeyLike & { preventDefault(): void }): void;
  picker: SelectPicker | null;
  choose(index: number): void;
  closePicker(): void;
}

interface Options {
  replica: ReplicaSession;
  scale: number;
  enabled: boolean;
  layer: RefObject<HTMLDivElement | null>;
  onAction: (action: ControlAction) => void;
  onNotice: (text: string) => void;
}

export function useControlInput({ replica, scale, enabled, layer, onAction, onNotice }: Options): ControlInput {
  const [picker, setPicker] = useState<SelectPicker | null>(null);
  const typed = useRef<{ text: string; frame: number | null }>({ text: '', frame: null });
  // The field the agent clicked last; the customer's focus (from the stream) takes over when it moves.
  const localFocus = useRef<{ target: ControlTarget; focusId: number | null } | null>(null);
  const sentScroll = useRef(new Map<number, { to: Point; at: number }>());
  const wheel = useRef<{ dx: number; dy: number; at: Point; frame: number | null }>({ dx: 0, dy: 0, at: { x: 0, y: 0 }, frame: null });
  const latest = useRef({ onAction, onNotice, scale, enabled });
  latest.current = { onAction, onNotice, scale, enabled };

  const typeTarget = (): ControlTarget | null => {
    const { focusId } = replica.getOverlay();
    const adapter = replica.getAdapter();
    if (localFocus.current && (focusId === null || focusId === localFocus.current.focusId)) return localFocus.current.target;
    return adapter && focusId !== null ? targetById(adapter, focusId) : (localFocus.current?.target ?? null);
  };

  const flushTyped = () => {
    const pending = typed.current;
    if (pending.frame !== null) cancelAnimationFrame(pending.frame);
    pending.frame = null;
    const text = pending.text;
    pending.text = '';
    if (!text) return;
    const target = typeTarget();
    if (target) latest.current.onAction({ kind: 'type', target, text });
    else latest.current.onNotice(t.clickFieldFirst);
  };

  useEffect(() => {
    if (!enabled) {
      setPicker(null);
      typed.current.text = '';
      localFocus.current = null;
    }
  }, [enabled]);

  // Wheel listeners must be non-passive to keep the agent's own page from scrolling.
  useEffect(() => {
    const el = layer.current;
    if (!el || !enabled) return;
    const onWheel = (event: WheelEvent) => {
      const adapter = replica.getAdapter();
      const viewport = replica.getOverlay().viewport;
      if (!adapter || !viewport) return;
      event.preventDefault();
      const box = el.getBoundingClientRect();
      const px = wheelPixels(event, { x: viewport.width * 0.9, y: viewport.height * 0.9 });
      const w = wheel.current;
      w.dx += px.x;
      w.dy += px.y;
      w.at = { x: (event.clientX - box.left) / latest.current.scale, y: (event.clientY - box.top) / latest.current.scale };
      if (w.frame !== null) return;
      w.frame = requestAnimationFrame(() => {
        w.frame = null;
        const { dx, dy } = w;
        w.dx = 0;
        w.dy = 0;
        const now = Date.now();
        const base = (id: number) => {
          const sent = sentScroll.current.get(id);
          return sent && now - sent.at < SCROLL_BASE_MS ? sent.to : null;
        };
        const found = scrollTargetAt(adapter, elementAt(adapter, w.at), dx, dy, base);
        if (!found) return;
        if (found.target.id !== null) sentScroll.current.set(found.target.id, { to: found.to, at: now });
        latest.current.onAction({ kind: 'scroll', target: found.target, scrollX: found.to.x, scrollY: found.to.y });
      });
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      el.removeEventListener('wheel', onWheel);
      if (wheel.current.frame !== null) cancelAnimationFrame(wheel.current.frame);
      wheel.current.frame = null;
    };
  }, [enabled, layer, replica]);

  return {
    picker,
    click(viewport, detail) {
      const adapter = replica.getAdapter();
      if (!enabled || !adapter || detail > 2) return;
      flushTyped();
      setPicker(null);
      const el = elementAt(adapter, viewport);
      const target = targetFor(adapter, el, viewport);
      const kind = el ? kindOf(el) : 'other';
      if (el && kind === 'select' && detail === 1) {
        const rect = el.getBoundingClientRect();
        onAction({ kind: 'focus', target });
        setPicker({ target, options: readOptions(el), at: { x: rect.left * scale, y: rect.bottom * scale, width: rect.width * scale } });
        return;
      }
      if (el && kind === 'check' && detail === 1) {
        const radio = el.getAttribute('type')?.toLowerCase() === 'radio';
        // A radio cannot be unticked by clicking it; a checkbox flips.
        onAction({ kind: 'check', target, checked: radio ? true : !isChecked(el) });
        return;
      }
      if (kind === 'editable') localFocus.current = { target, focusId: replica.getOverlay().focusId };
      else localFocus.current = null;
      // The second click of a double-click carries `double`: the first was already sent alone.
      onAction(detail === 2 ? { kind: 'click', target, double: true } : { kind: 'click', target });
    },
    key(event) {
      if (!enabled) return;
      const intent = readKey(event);
      if (!intent) return;
      event.preventDefault();
      if (intent.kind === 'text') {
        typed.current.text += intent.text;
        typed.current.frame ??= requestAnimationFrame(flushTyped);
        return;
      }
      flushTyped();
      const target = typeTarget();
      onAction(target ? { kind: 'key', key: intent.key, shift: intent.shift, target } : { kind: 'key', key: intent.key, shift: intent.shift });
    },
    choose(index) {
      if (!picker) return;
      onAction({ kind: 'select', target: picker.target, index });
      setPicker(null);
    },
    closePicker() {
      setPicker(null);
    },
  };
}
