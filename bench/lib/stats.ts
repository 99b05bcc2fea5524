/** Medians, spreads and percentiles of repeated measurements. */
import type { Sample } from "./types.ts";

/** The p-th percentile (0-100) of values, by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[rank];
}

/** Median, min and max of runs. */
export function sample(runs: number[]): Sample {
  return {
    median: percentile(runs, 50),
    min: Math.min(...runs),
    max: Math.max(...runs),
    runs,
  };
}

/**
 * Warms up once (result discarded), then measures `runs` times and returns the median of each
 * named figure with its spread. `measure` returns several figures at once (req/s and p99 of
 * one load run), so they come from the same runs.
 */
export async function repeat<K extends string>(
  runs: number,
  measure: (warmup: boolean) => Promise<Record<K, number>>,
): Promise<Record<K, Sample>> {
  await measure(true);
  const all: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure(false));
  const out: Record<string, Sample> = {};
  for (const key of Object.keys(all[0])) {
    out[key] = sample(all.map((r) => r[key]));
  }
  return out as Record<K, Sample>;
}

/** Rounds for display: 3 significant digits, whole numbers above 100. */
export function round(n: number): number {
  if (!Number.isFinite(n)) return n;
  if (Math.abs(n) >= 100) return Math.round(n);
  return Number(n.toPrecision(3));
}
