/**
 * "Widget preview" in the site editor: the customer's widget in each state (button, code,
 * banner, control prompt, controlling) with the site's theme, drawn by the SDK's own widget
 * code (renderWidgetPreview) so the preview and the real widget cannot disagree. Updates live
 * as the theme changes.
 */
import { useEffect, useRef } from 'react';
import type { SiteTheme } from '@samepage/protocol';
import { renderWidgetPreview, WIDGET_PREVIEW_STATES, type WidgetPreviewState } from '@samepage/sdk';

const LABELS: Record<WidgetPreviewState, string> = {
  launcher: 'Get help button',
  code: 'Code to read out',
  banner: 'During a session',
  prompt: 'Control request',
  controlling: 'Agent in control',
};

function PreviewBox({ state, theme }: { state: WidgetPreviewState; theme: SiteTheme }) {
  const host = useRef<HTMLDivElement>(null);
  const key = JSON.stringify(theme);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    renderWidgetPreview(root, state, JSON.parse(key) as SiteTheme);
  }, [state, key]);
  return (
    <figure style={{ margin: 0 }}>
      {/* The transform makes this box the viewport of the widget's fixed-position parts. */}
      <div
        style={{ position: 'relative', transform: 'translateZ(0)', overflow: 'hidden', width: 600, height: 260, borderRadius: 8, border: '1px solid #e2e8f0', background: '#f8fafc' }}
        aria-hidden="true"
      >
        <div ref={host} />
      </div>
      <figcaption>{LABELS[state]}</figcaption>
    </figure>
  );
}

export function WidgetPreview({ theme }: { theme: SiteTheme }) {
  return (
    <section aria-label="Widget preview" className="widget-preview">
      <h3>Widget preview</h3>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16 }}>
        {WIDGET_PREVIEW_STATES.map((state) => (
          <PreviewBox key={state} state={state} theme={theme} />
        ))}
      </div>
    </section>
  );
}
