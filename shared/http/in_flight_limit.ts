/**
 * Load shedding with a short queue: at most `max` requests of a route group run at once in
 * this instance; up to `queue` more wait (at most `waitMs`) for a turn; past that the answer
 * is an immediate 503 with `Retry-After`, which providers treat as "deliver again later"
 * (Replicate retries final webhooks for about a minute; the reconciler polls anything still
 * overdue). Without a bound, a burst of callbacks ran all at once in one instance (each with a
 * download and an upload in flight) until it held 1.2 GB and 17,000 connections in the
 * benchmark's enqueue scenario; a waiting request holds only its small body.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors.ts";
import type { HonoEnv } from "./context.ts";

/** Bounds for {@link limitInFlight}. */
export interface InFlightLimit {
  /** Requests running at once. */
  max: number;
  /** Requests waiting for a turn; more are refused at once. @default 8 × max */
  queue?: number;
  /** How long one may wait before it is refused. @default 10000 */
  waitMs?: number;
}

const busy = () =>
  new AppError("UNAVAILABLE", "Busy: too many deliveries in progress, retry shortly", {
    retryAfter: 1,
  });

/** The middleware; `inFlight()` and `waiting()` report the current counts (tests, logs). */
export function limitInFlight(
  limit: InFlightLimit,
): MiddlewareHandler<HonoEnv> & { inFlight(): number; waiting(): number } {
  const maxQueue = limit.queue ?? limit.max * 8;
  const waitMs = limit.waitMs ?? 10_000;
  let running = 0;
  const waiters: (() => void)[] = [];

  const acquire = async () => {
    if (running < limit.max) {
      running++;
      return;
    }
    if (waiters.length >= maxQueue) throw busy();
    await new Promise<void>((resolve, reject) => {
      const turn = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = waiters.indexOf(turn);
        if (at >= 0) waiters.splice(at, 1);
        reject(busy());
      }, waitMs);
      waiters.push(turn);
    });
    // The slot was handed over by release(): `running` already counts it.
  };
  const release = () => {
    const next = waiters.shift();
    if (next) next();
    else running--;
  };

  const middleware: MiddlewareHandler<HonoEnv> = async (_c, next) => {
    await acquire();
    try {
      await next();
    } finally {
      release();
    }
  };
  return Object.assign(middleware, { inFlight: () => running, waiting: () => waiters.length });
}
