/**
 * The SDK's own redaction decisions, so the sites page's preview cannot drift from what the
 * SDK really sends.
 */
export { createRedactionPolicy, scrubAttributes, maskText, maskValue, MASKED_TEXT, MASKED_VALUE } from '@samepage/sdk';
export type { RedactionRules } from '@samepage/protocol';
