import { t } from '../i18n/index.ts';
import type { Tool } from '../replica/use-drawing-input.ts';

const TOOLS: { tool: Tool; label: string; icon: string }[] = [
  { tool: 'pointer', label: t.toolPointer, icon: 'M5 3 L5 17 L9 13 L12 19 L14 18 L11 12 L16 12 Z' },
  { tool: 'laser', label: t.toolLaser, icon: 'M4 16 L14 6 M14 6 m-3 0 a3 3 0 1 0 6 0 a3 3 0 1 0 -6 0' },
  { tool: 'draw', label: t.toolDraw, icon: 'M3 17 C6 9 9 15 12 8 S17 5 17 5' },
  { tool: 'highlight', label: t.toolHighlight, icon: 'M3 5 H17 V15 H3 Z' },
];

/** Pointer (default), Laser, Draw, Highlight and Clear drawings: one tool is active at a time. */
/** `disabled` once the session has ended: the tools can reach nobody. */
export function DrawingToolbar({ tool, onTool, onClear, disabled = false }: { tool: Tool; onTool: (tool: Tool) => void; onClear: () => void; disabled?: boolean }) {
  return (
    <div className="toolbar" role="toolbar" aria-label={t.toolsLabel}>
      <div className="segmented">
        {TOOLS.map(({ tool: value, label, icon }) => (
          <button key={value} type="button" className="tool-button" aria-pressed={tool === value} disabled={disabled} onClick={() => onTool(value)}>
            <svg width="16" height="16" viewBox="0 0 20 20" aria-hidden="true">
              <path d={icon} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            {label}
          </button>
        ))}
      </div>
      <button type="button" className="button button-ghost button-small" disabled={disabled} onClick={onClear}>
        {t.clearDrawings}
      </button>
    </div>
  );
}
