import { useDeferredValue, useId, useMemo, useState } from 'react';
import type { RedactionRules } from '../../admin/admin-api.ts';
import { DEFAULT_SAMPLE, renderPreview } from '../../admin/redaction-preview.ts';
import { t } from '../../i18n/index.ts';

/** A sample page as an agent would see it under `rules` (the editor's current, unsaved rules). */
export function RedactionPreview({ rules }: { rules: RedactionRules }) {
  const [sample, setSample] = useState(DEFAULT_SAMPLE);
  const deferredSample = useDeferredValue(sample);
  const deferredRules = useDeferredValue(rules);
  const preview = useMemo(() => renderPreview(deferredSample, deferredRules), [deferredSample, deferredRules]);
  const id = useId();

  return (
    <section className="preview" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t.admin.previewHeading}</h3>
      <p className="muted small">{t.admin.previewIntro}</p>
      <div className="preview-grid">
        <div className="preview-sample">
          <label className="field">
            <span className="field-label">{t.admin.previewSampleLabel}</span>
            <textarea className="code-area" rows={17} spellCheck={false} value={sample} onChange={(e) => setSample(e.target.value)} />
          </label>
          <button type="button" className="button button-ghost button-small" onClick={() => setSample(DEFAULT_SAMPLE)} disabled={sample === DEFAULT_SAMPLE}>
            {t.admin.resetSample}
          </button>
        </div>
        <div className="preview-frame-column">
          {/* No allow-scripts, no allow-same-origin: the sample can neither run nor reach the console. */}
          <iframe className="preview-frame" title={t.admin.previewFrameTitle} sandbox="" srcDoc={preview.html} />
          <p className="form-hint">{t.admin.previewLegend}</p>
          {preview.rejected.length > 0 && (
            <p className="form-error" role="alert">
              {t.admin.previewRejected(preview.rejected.join(', '))}
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
