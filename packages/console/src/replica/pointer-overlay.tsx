/** Drawn over the replica: the customer's pointer, their clicks, and the focused element. */
import { t } from '../i18n/index.ts';
import type { OverlayState } from './replica-session.ts';

export function PointerOverlay({ overlay, scale }: { overlay: OverlayState; scale: number }) {
  const { pointer, clicks, focusRect } = overlay;
  return (
    <div className="replica-overlay" aria-hidden="true">
      {focusRect && (
        <div
          className="focus-outline"
          data-testid="focus-outline"
          style={{
            transform: `translate(${focusRect.x * scale - 3}px, ${focusRect.y * scale - 3}px)`,
            width: focusRect.width * scale + 6,
            height: focusRect.height * scale + 6,
          }}
        />
      )}
      {clicks.map((click) => (
        <span key={click.id} className="click-ripple" style={{ left: click.x * scale, top: click.y * scale }} />
      ))}
      {pointer && (
        <svg
          className="customer-pointer"
          data-testid="customer-pointer"
          data-x={pointer.x}
          data-y={pointer.y}
          width="20"
          height="24"
          viewBox="0 0 20 24"
          style={{ transform: `translate(${pointer.x * scale}px, ${pointer.y * scale}px)` }}
        >
          <title>{t.customerPointer}</title>
          <path d="M1.5 1.5 L1.5 19 L6.2 14.6 L9.3 21.8 L12.6 20.4 L9.6 13.3 L16 13.3 Z" fill="#111827" stroke="#fff" strokeWidth="1.5" strokeLinejoin="round" />
        </svg>
      )}
    </div>
  );
}
