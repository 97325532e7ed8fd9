/**
 * What other packages may import from the SDK: the public types, and the redaction rules
 * (pure functions), which the console's site editor uses for its live preview so that the
 * preview and the SDK can never disagree; and the widget's theme preview (same reason). The browser bundles are built from loader.ts,
 * capture.ts and collab.ts.
 */
export type {
  SamepageApi,
  SamepageError,
  SamepageEvents,
  SamepageEventName,
  SamepageOptions,
  SamepageSnapshot,
  SessionState,
} from './api-types.ts';
export { MASKED_TEXT, MASKED_VALUE, REDACT_ATTRIBUTE, BLOCK_ATTRIBUTE, ALLOW_ATTRIBUTE, WIDGET_TAG } from './redaction.ts';
export { createRedactionPolicy, scrubAttributes, maskText, maskValue } from './redaction.ts';
export { SESSION_STORAGE_KEY } from './session-store.ts';
export { renderWidgetPreview, WIDGET_PREVIEW_STATES, type WidgetPreviewState } from './widget-preview.ts';
