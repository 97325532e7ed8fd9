/** The console-side list for a `<select>` on the customer's page (the inert replica cannot open one). */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { t } from '../i18n/index.ts';
import type { SelectPicker as Picker } from './use-control-input.ts';

export function SelectPicker({ picker, onChoose, onClose }: { picker: Picker; onChoose: (index: number) => void; onClose: () => void }) {
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    const first = listRef.current?.querySelector<HTMLElement>('[aria-selected="true"]') ?? listRef.current?.querySelector<HTMLElement>('[role="option"]');
    first?.focus();
  }, [picker]);

  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    event.stopPropagation();
    if (event.key === 'Escape') return onClose();
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[role="option"]:not([aria-disabled="true"])') ?? []);
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[Math.max(0, Math.min(items.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)))]?.focus();
  };

  return (
    <div
      className="select-picker"
      role="dialog"
      aria-label={t.pickOption}
      style={{ left: picker.at.x, top: picker.at.y + 4, minWidth: Math.max(160, picker.at.width) }}
      onKeyDown={onKey}
      onMouseDown={(e) => e.stopPropagation()}
      onClick={(e) => e.stopPropagation()}
    >
      <ul role="listbox" aria-label={t.pickOption} ref={listRef}>
        {picker.options.map((option) => (
          <li
            key={option.index}
            role="option"
            tabIndex={-1}
            aria-selected={option.selected}
            aria-disabled={option.disabled || undefined}
            onClick={() => !option.disabled && onChoose(option.index)}
            onKeyDown={(e) => {
              if ((e.key === 'Enter' || e.key === ' ') && !option.disabled) {
                e.preventDefault();
                onChoose(option.index);
              }
            }}
          >
            {option.label}
          </li>
        ))}
      </ul>
      <button type="button" className="button button-ghost picker-close" onClick={onClose}>
        {t.closePicker}
      </button>
    </div>
  );
}
