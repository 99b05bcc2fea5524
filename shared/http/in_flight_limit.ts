/**
 * Load shedding: at most `max` requests of a route group in progress in this instance; beyond
 * that the answer is an immediate 503 with `Retry-After`, which providers treat as "deliver
 * again later" (Replicate retries final webhooks for about a minute; the reconciler polls
 * anything still overdue). Without it a burst of callbacks piles up in one instance (each with
 * a download and an upload in flight) until the platform kills it for memory: the benchmark's
 * enqueue scenario drove one to 1.2 GB and 17,000 open connections.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.ts";
import type { HonoEnv } from "./context.ts";

/** The middleware; `inFlight()` reports the current count (tests, logs). */
export function limitInFlight(
  max: number,
): MiddlewareHandler<HonoEnv> & { inFlight(): number } {
  let current = 0;
  const middleware: MiddlewareHandler<HonoEnv> = async (_c, next) => {
    if (current >= max) {
      throw new AppError("UNAVAILABLE", "Busy: too many deliveries in progress, retry shortly", {
        retryAfter: 1,
      });
    }
    current++;
    try {
      await next();
    } finally {
      current--;
    }
  };
  return Object.assign(middleware, { inFlight: () => current });
}
