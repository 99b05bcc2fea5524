/**
 * A value built on first use and shared after. For SDKs a function may never touch in a given
 * instance (openai, replicate, supabase-js's storage client): importing them at start-up cost
 * up to 110 ms of module evaluation each (bench/results/latest.md, cold start).
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((err) => {
      // A failed load (say, a transient module fetch) is retried on the next use.
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
