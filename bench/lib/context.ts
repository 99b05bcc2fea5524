/** What every scenario receives, and the small helpers they share. */
import type { Fixtures } from "./fixtures.ts";
import { activeJobs } from "./fixtures.ts";
import type { BenchStack } from "./stack.ts";
import { round } from "./stats.ts";
import type { CurvePoint, ResultRow, Sample } from "./types.ts";

/** Sizes and durations of a run (`--quick` shrinks them). */
export interface BenchOptions {
  quick: boolean;
  /** Measured runs per figure (after one warm-up run). */
  runs: number;
  /** Seconds per load run (wrk, pgbench). */
  durationS: number;
  /** Jobs per drain in the database-path scenario (3a). */
  drainJobs: number;
  /** Jobs per drain in scale-out (9): smaller than 3a so 4 counts x 4 drains fit the run. */
  scaleJobs: number;
  /** Dispatcher process counts for scale-out. */
  scaleCounts: number[];
  /** CPU wrk and pgbench are pinned to, or null without taskset. */
  cpu: number | null;
}

/** Shared state of one benchmark run. */
export interface BenchContext {
  opts: BenchOptions;
  stack: BenchStack;
  fx: Fixtures;
  tmpDir: string;
  log(line: string): void;
  rows: ResultRow[];
  curve: CurvePoint[];
  profiles: Record<string, string[]>;
  /** Figures one scenario measures for a later one (3b's capacity sets 3c's arrival rate). */
  measured: Record<string, number>;
}

/** Base URL of a function process (direct, no gateway). */
export function directUrl(ctx: BenchContext, name: string): string {
  return `http://127.0.0.1:${ctx.stack.functionPorts[name]}`;
}

/** One dispatcher round through the gateway, as the scheduler would call it. */
export async function dispatchOnce(
  ctx: BenchContext,
  limit = 200,
  webhookOverdueSeconds?: number,
): Promise<Record<string, number>> {
  const res = await fetch(
    `${ctx.stack.gatewayUrl}/functions/v1/queue-job/dispatch`,
    {
      method: "POST",
      headers: {
        apikey: ctx.stack.secretKey,
        "content-type": "application/json",
      },
      body: JSON.stringify({ limit, webhook_overdue_seconds: webhookOverdueSeconds }),
    },
  );
  const body = await res.json();
  if (res.status !== 200) {
    throw new Error(`dispatch: ${res.status} ${JSON.stringify(body)}`);
  }
  return body;
}

/**
 * Waits (until `deadline`) for the Replicate simulator to have no webhook delivery in progress:
 * callbacks for jobs the reconciler already finished, and their retries, must not load the
 * next measurement.
 */
export async function webhooksSettled(ctx: BenchContext, deadline = Date.now() + 120_000) {
  while (Date.now() < deadline) {
    const res = await fetch(`${ctx.stack.replicateControlUrl}/webhooks/pending`);
    const { pending } = await res.json() as { pending: number };
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // Requests the function accepted just before the last delivery gave up may still be running.
  await new Promise((r) => setTimeout(r, 1000));
}

/**
 * Waits until no job of `modelId` is queued or processing, running dispatch rounds meanwhile
 * (the scheduler's job in production). Returns false on timeout.
 */
export async function drain(
  ctx: BenchContext,
  modelId: string,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await activeJobs(ctx.fx, modelId) === 0) {
      await webhooksSettled(ctx, deadline);
      return true;
    }
    // Between measurements nothing is measured: a job whose final webhook was shed and whose
    // retries ran out is polled after 5 s rather than the production 120 s.
    await dispatchOnce(ctx, 200, 5).catch((e) => ctx.log(`  dispatch failed: ${e}`));
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** Adds a row comparing `value` with `anchor` (both medians of the same run). */
export function ratioRow(
  ctx: BenchContext,
  row: {
    scenario: string;
    metric: string;
    unit: string;
    value: Sample | null;
    anchor?: string;
    anchorValue?: Sample | null;
    /** Minimum ratio (value / anchor) the target asks for. */
    minRatio?: number;
    /** Maximum ratio (for latencies and start times). */
    maxRatio?: number;
    /** Absolute limit on the value instead of a ratio. */
    maxValue?: number;
    note?: string;
  },
): ResultRow {
  const value = row.value?.median ?? null;
  const anchorValue = row.anchorValue?.median ?? null;
  const ratio = value !== null && anchorValue ? value / anchorValue : null;
  let target: string | null = null;
  let meets: boolean | null = null;
  if (row.minRatio !== undefined) {
    target = `ratio >= ${row.minRatio}`;
    meets = ratio !== null ? ratio >= row.minRatio : null;
  } else if (row.maxRatio !== undefined) {
    target = `ratio <= ${row.maxRatio}`;
    meets = ratio !== null ? ratio <= row.maxRatio : null;
  } else if (row.maxValue !== undefined) {
    target = `< ${row.maxValue} ${row.unit}`;
    meets = value !== null ? value < row.maxValue : null;
  }
  const spread = (s: Sample | null | undefined) =>
    s ? { min: round(s.min), max: round(s.max), runs: s.runs.map(round) } : undefined;
  const out: ResultRow = {
    scenario: row.scenario,
    metric: row.metric,
    value: value === null ? null : round(value),
    unit: row.unit,
    anchor: row.anchor ?? null,
    anchor_value: anchorValue === null ? null : round(anchorValue),
    ratio: ratio === null ? null : round(ratio),
    target,
    meets_target: meets,
    spread: spread(row.value),
    anchor_spread: spread(row.anchorValue),
    ...(row.note ? { note: row.note } : {}),
  };
  ctx.rows.push(out);
  const r = out.ratio === null ? "" : `  ratio ${out.ratio}`;
  ctx.log(
    `  ${row.metric}: ${out.value} ${row.unit}${
      out.anchor ? `  vs ${out.anchor} ${out.anchor_value}` : ""
    }${r}${meets === null ? "" : meets ? "  (target met)" : "  (target NOT met)"}`,
  );
  return out;
}

/** Adds a `"skipped"` row for a scenario that cannot run yet. */
export function skipRow(
  ctx: BenchContext,
  scenario: string,
  metric: string,
  reason: string,
) {
  ctx.rows.push({
    scenario,
    metric,
    value: null,
    unit: "",
    anchor: null,
    anchor_value: null,
    ratio: null,
    target: null,
    meets_target: null,
    skipped: reason,
  });
  ctx.log(`  ${scenario}: skipped (${reason})`);
}

/** Records where the time goes for a scenario (shown under the table). */
export function addProfile(
  ctx: BenchContext,
  scenario: string,
  lines: string[],
) {
  (ctx.profiles[scenario] ??= []).push(...lines);
}
