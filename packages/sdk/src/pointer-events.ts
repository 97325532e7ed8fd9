/**
 * A click as the browser would deliver it: pointer and mouse events at the element's point,
 * focus moved on mousedown, then click (and dblclick with detail 2). Synthetic clicks still
 * run the element's activation behaviour (links, checkboxes, submit buttons).
 */

/** The point to click: the agent's point if it is on the element, else the element's centre. */
function pointOn(el: Element, x: number, y: number): { clientX: number; clientY: number } {
  const r = el.getBoundingClientRect();
  const inside = x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
  return inside ? { clientX: x, clientY: y } : { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 };
}

function focusTarget(el: Element): void {
  const focusable = el.closest<HTMLElement>('a[href],button,input,select,textarea,summary,[tabindex],[contenteditable]');
  if (focusable && !(focusable as HTMLButtonElement).disabled) focusable.focus({ preventScroll: true });
  else if (document.activeElement instanceof HTMLElement && document.activeElement !== document.body) document.activeElement.blur();
}

/**
 * @example
 *   dispatchClick(button, 120, 340);          // one click
 *   dispatchClick(cell, 120, 340, true);      // two clicks then dblclick
 */
export function dispatchClick(el: Element, x: number, y: number, double = false): void {
  const point = pointOn(el, x, y);
  const base = { bubbles: true, cancelable: true, composed: true, view: window, button: 0, ...point };
  const pointer = { ...base, pointerId: 1, pointerType: 'mouse', isPrimary: true };
  const once = (detail: number): void => {
    el.dispatchEvent(new PointerEvent('pointerdown', { ...pointer, buttons: 1 }));
    if (el.dispatchEvent(new MouseEvent('mousedown', { ...base, buttons: 1, detail }))) focusTarget(el);
    el.dispatchEvent(new PointerEvent('pointerup', pointer));
    el.dispatchEvent(new MouseEvent('mouseup', { ...base, detail }));
    el.dispatchEvent(new MouseEvent('click', { ...base, detail }));
  };
  el.dispatchEvent(new PointerEvent('pointerover', pointer));
  el.dispatchEvent(new MouseEvent('mouseover', base));
  once(1);
  if (double) {
    once(2);
    el.dispatchEvent(new MouseEvent('dblclick', { ...base, detail: 2 }));
  }
}
