/**
 * A small closed-loop load generator for requests wrk cannot describe (a body per request, a
 * streamed answer read to its end): `clients` workers each send one request after another for
 * `durationS`, and every request's latency is kept.
 */
import { percentile } from "./stats.ts";

/** Latencies (ms) of one load run, and its throughput. */
export interface LoopResult {
  latencies: number[];
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Runs `send` from `clients` workers for `durationS`; `send` resolves when a request is done. */
export async function closedLoop(
  clients: number,
  durationS: number,
  send: (worker: number) => Promise<boolean>,
): Promise<LoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + durationS * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, worker) => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const ok = await send(worker).catch(() => false);
      if (ok) latencies.push(performance.now() - t0);
      else errors++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return {
    latencies,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}
