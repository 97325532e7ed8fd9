/** Small DOM helpers for the widget. Server text always goes in through textContent. */

/**
 * Phones, and desktops zoomed to 200% (a 1280 px window is then 640 px wide): the session bar
 * becomes a pill whose actions are icons and wrap under the names, since the full bar would not
 * fit beside them.
 */
export const NARROW_MEDIA = '@media (max-width:719.98px)';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(className: string, text: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = el('button', className, text);
  b.type = 'button';
  if (label) b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** Screen readers announce changes without focus moving. */
export function liveRegion<T extends HTMLElement>(node: T): T {
  node.setAttribute('role', 'status');
  node.setAttribute('aria-live', 'polite');
  return node;
}

/** A decorative 24x24 line icon of one SVG path, drawn in the text colour. */
export function icon(path: string, className = ''): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `sp-ico ${className}`);
  const d = document.createElementNS(ns, 'path');
  d.setAttribute('d', path);
  svg.append(d);
  return svg;
}
