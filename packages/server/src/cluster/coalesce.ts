/**
 * Runs `run(key)` at most once at a time per key; calls made meanwhile fold into one more run
 * after it. For re-reading a cluster-wide table when changes arrive faster than reads: no reads
 * pile up, answers cannot arrive out of order, and the last change is always read.
 */
export function coalesce(run: (key: string) => Promise<void>): (key: string) => void {
  const inFlight = new Map<string, boolean>();
  const start = (key: string): void => {
    if (inFlight.has(key)) {
      inFlight.set(key, true);
      return;
    }
    inFlight.set(key, false);
    void run(key)
      .catch(() => undefined)
      .finally(() => {
        const again = inFlight.get(key) === true;
        inFlight.delete(key);
        if (again) start(key);
      });
  };
  return start;
}
