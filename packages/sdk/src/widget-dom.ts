/** Small DOM helpers for the widget. Server text always goes in through textContent. */

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
