/**
 * Draws each agent's pointer (arrow + name, in the participant's colour) over the visitor's
 * page. Agents send document coordinates, so we subtract the scroll offset, and redraw on
 * scroll. Shown even when the widget is off: pointing is part of co-browsing.
 */
import type { Participant } from '@samepage/protocol';

export interface PointerLayer {
  move(participantId: string, x: number | null, y: number | null): void;
  setParticipants(participants: readonly Participant[]): void;
  destroy(): void;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function safeColor(color: string): string {
  // The colour comes from the server; keep it to something CSS cannot be tricked by.
  return /^(#[0-9a-f]{3,8}|[a-z]{3,20}|(rgb|hsl)a?\([\d\s.,%]+\))$/i.test(color) ? color : '#2563eb';
}

function createPointer(participant: Participant | undefined): HTMLElement {
  const color = safeColor(participant?.color ?? '');
  const node = document.createElement('div');
  node.className = 'sp-pointer';
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', '22');
  svg.setAttribute('height', '22');
  svg.setAttribute('viewBox', '0 0 22 22');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', 'M2 2 L2 18 L7 13.5 L10.5 20.5 L13.5 19 L10 12 L17 12 Z');
  path.setAttribute('fill', color);
  path.setAttribute('stroke', '#fff');
  path.setAttribute('stroke-width', '1.5');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  const label = document.createElement('span');
  label.style.background = color;
  label.textContent = participant?.name ?? 'Agent';
  node.append(svg, label);
  return node;
}

/**
 * @example
 *   const pointers = createPointerLayer(widget.pointerContainer);
 *   pointers.move('p1', 120, 900); // document coordinates
 */
export function createPointerLayer(container: HTMLElement): PointerLayer {
  const participants = new Map<string, Participant>();
  const pointers = new Map<string, { node: HTMLElement; x: number; y: number }>();

  const place = (p: { node: HTMLElement; x: number; y: number }): void => {
    p.node.style.transform = `translate(${p.x - window.scrollX}px, ${p.y - window.scrollY}px)`;
  };
  const onScroll = (): void => {
    for (const p of pointers.values()) place(p);
  };
  window.addEventListener('scroll', onScroll, { passive: true });

  const remove = (id: string): void => {
    pointers.get(id)?.node.remove();
    pointers.delete(id);
  };

  return {
    move(id, x, y) {
      if (x === null || y === null) return remove(id);
      let p = pointers.get(id);
      if (!p) {
        p = { node: createPointer(participants.get(id)), x, y };
        pointers.set(id, p);
        place(p); // before it is shown, so it does not glide in from the corner
        container.append(p.node);
      }
      p.x = x;
      p.y = y;
      place(p);
    },
    setParticipants(list) {
      participants.clear();
      for (const p of list) participants.set(p.id, p);
      for (const id of [...pointers.keys()]) if (!participants.has(id)) remove(id);
    },
    destroy() {
      window.removeEventListener('scroll', onScroll);
      for (const id of [...pointers.keys()]) remove(id);
    },
  };
}
