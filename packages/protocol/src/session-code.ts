/** Session codes: 6 digits, read out over the phone. */
export const SESSION_CODE_PATTERN = /^\d{6}$/;
export const SESSION_CODE_TTL_MS = 10 * 60 * 1000;

export function normalizeSessionCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}
