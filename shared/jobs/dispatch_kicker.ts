/**
 * Starts a dispatch run in the background after an enqueue, coalescing: while a run is going,
 * further kicks only ask for one more run after it. A burst of enqueues then costs two runs,
 * not one per request competing for the same claims.
 */

/** Returns `kick()`: run `work` now, or once more after the current run. */
export function createDispatchKicker(
  work: () => Promise<unknown>,
  background: (p: Promise<unknown>) => void,
): () => void {
  let running = false;
  let again = false;
  const loop = async () => {
    running = true;
    try {
      do {
        again = false;
        await work();
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) {
      again = true;
      return;
    }
    background(loop());
  };
}
