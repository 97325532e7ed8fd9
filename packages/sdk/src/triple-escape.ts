/**
 * The customer's emergency brake: Escape pressed three times within 1.5 s. Only real key
 * presses count (isTrusted), so an agent's Escape key actions can never trigger it.
 */
export const TRIPLE_ESCAPE_WINDOW_MS = 1500;

/**
 * @example
 *   const stop = watchTripleEscape(() => control.revoke());
 */
export function watchTripleEscape(onTriple: () => void): () => void {
  let presses: number[] = [];
  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !event.isTrusted || event.repeat) return;
    const now = event.timeStamp || performance.now();
    presses = [...presses.filter((t) => now - t <= TRIPLE_ESCAPE_WINDOW_MS), now];
    if (presses.length >= 3) {
      presses = [];
      onTriple();
    }
  };
  window.addEventListener('keydown', onKey, true);
  return () => window.removeEventListener('keydown', onKey, true);
}
