/**
 * What other packages (the demo, e2e tests) may import from the SDK: the public types and the
 * redaction constants. The browser bundles are built from loader.ts and capture.ts.
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
export { SESSION_STORAGE_KEY } from './session-store.ts';
