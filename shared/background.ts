/** Work that runs after the response: kept alive on the edge runtime, failures logged. */
import type { Logger } from "./log.ts";

declare const EdgeRuntime: { waitUntil(p: Promise<unknown>): void } | undefined;

/** Runs `work` after the response (EdgeRuntime.waitUntil where available). */
export type Background = (work: Promise<unknown>) => void;

/** A background runner that logs what fails. */
export function createBackground(log: Logger): Background {
  return (work) => {
    const guarded = work.catch((err) => log.error("background work failed", { err }));
    // On the edge runtime the isolate is kept alive until the work settles.
    if (typeof EdgeRuntime !== "undefined") EdgeRuntime.waitUntil(guarded);
  };
}
