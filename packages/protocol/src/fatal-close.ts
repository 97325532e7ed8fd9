/**
 * Close codes that mean "do not reconnect": the same request would fail again. These are the
 * close codes of the fatal errors in errors.ts; a test keeps the two equal. The list lives apart
 * from the catalogue so the customer's SDK can decide without shipping every error message.
 */
export const FATAL_CLOSE_CODES: readonly number[] = [1013, 4400, 4401, 4403, 4404, 4408, 4410, 4413, 4426];

export function isFatalClose(code: number): boolean {
  return FATAL_CLOSE_CODES.includes(code);
}
