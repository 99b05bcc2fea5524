/**
 * Scenario 2's report: the figures `enqueue` measured, as rows against their anchors (targets
 * first), and the curve of throughput by client count.
 */
import { type BenchContext, ratioRow } from "../lib/context.ts";
import { sample } from "../lib/stats.ts";
import type { Sample } from "../lib/types.ts";

/** Client counts of the enqueue curve. */
export const ENQUEUE_CLIENTS = [1, 8, 32];

/** One load's throughput and latencies. */
export type Load = { rps: Sample; p50: Sample; p99: Sample };

/** What scenario 2 measured. */
export interface EnqueueFigures {
  /** `POST /queue-job` direct and through the gateway, and the minimal server, by client count. */
  results: Record<"direct" | "gateway" | "minimal", Record<number, Load>>;
  /** The queue-job process that starts no dispatch after an enqueue, at 1 and 32 clients. */
  enqueueOnly: Record<number, Load>;
  /** Jobs/s of the dispatch rounds that drained each enqueue-only backlog. */
  dispatchRates: number[];
  /** Direct @32 with the provider that never calls back. */
  silent: { rps: Sample };
  /** The same provider direct and through the gateway, keyed `direct1`, `gateway8`, ... */
  hop: Record<string, Load>;
  /** pgbench, the raw charge transaction and our `enqueue_job`, by client count. */
  raw: Record<number, Sample>;
  enqueueJob: Record<number, Sample>;
}

/** Writes scenario 2's rows; returns the enqueue-only row against the minimal server. */
export function reportEnqueue(ctx: BenchContext, m: EnqueueFigures) {
  const s = "2. enqueue";
  const { results, enqueueOnly, dispatchRates, silent, hop, raw, enqueueJob } = m;
  const only32 = enqueueOnly[32];
  const minimal32 = results.minimal[32];
  const onlyVsMinimal = ratioRow(ctx, {
    scenario: s,
    metric:
      "POST /queue-job req/s @32, direct, enqueue only (DISPATCH_AFTER_ENQUEUE=false; dispatch measured below)",
    unit: "req/s",
    value: only32.rps,
    anchor: "minimal server (Deno.serve + postgres.js + jose) @32",
    anchorValue: minimal32.rps,
    minRatio: 0.8,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, enqueue only, vs the raw charge transaction",
    unit: "req/s",
    value: only32.rps,
    anchor: "pgbench raw charge transaction (update + 2 inserts, plain SQL) @32",
    anchorValue: raw[32],
    minRatio: 0.5,
  });
  ratioRow(ctx, {
    scenario: s,
    metric:
      "the dispatch that follows: the enqueue-only backlog drained by dispatch rounds to completed (diagnostic)",
    unit: "jobs/s",
    value: dispatchRates.length ? sample(dispatchRates) : null,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "POST /queue-job req/s @32, direct, dispatch after each enqueue (as deployed)",
    unit: "req/s",
    value: results.direct[32].rps,
    anchor: "minimal server (Deno.serve + postgres.js + jose) @32",
    anchorValue: minimal32.rps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, as deployed, vs the raw charge transaction",
    unit: "req/s",
    value: results.direct[32].rps,
    anchor: "pgbench raw charge transaction (update + 2 inserts, plain SQL) @32",
    anchorValue: raw[32],
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "the minimal server vs the raw charge transaction (how far any HTTP server is)",
    unit: "req/s",
    value: minimal32.rps,
    anchor: "pgbench raw charge transaction (update + 2 inserts, plain SQL) @32",
    anchorValue: raw[32],
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "POST /queue-job req/s @32, direct, provider never calls back (diagnostic)",
    unit: "req/s",
    value: silent.rps,
    anchor: "pgbench enqueue_job with role switch @32",
    anchorValue: enqueueJob[32],
  });

  ratioRow(ctx, {
    scenario: s,
    metric: "POST /queue-job p50 @1, direct (as deployed)",
    unit: "ms",
    value: results.direct[1].p50,
    anchor: "minimal server p50 @1",
    anchorValue: results.minimal[1].p50,
    maxValue: 4,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, enqueue only (diagnostic)",
    unit: "ms",
    value: enqueueOnly[1].p50,
    anchor: "minimal server p50 @1",
    anchorValue: results.minimal[1].p50,
  });
  ratioRow(ctx, {
    scenario: s,
    metric:
      "dev gateway: p50 added @1 (gateway p50 minus direct p50; provider never calls back, see above)",
    unit: "ms",
    value: sample([hop.gateway1.p50.median - hop.direct1.p50.median]),
    anchor: "direct p50 @1, same provider",
    anchorValue: hop.direct1.p50,
    maxValue: 0.3,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "dev gateway: req/s @8 through it (provider never calls back)",
    unit: "req/s",
    value: hop.gateway8.rps,
    anchor: "direct @8, same provider",
    anchorValue: hop.direct8.rps,
    minRatio: 0.8,
  });
  ratioRow(ctx, {
    scenario: s,
    metric:
      "same, with the full pipeline behind it (webhooks and uploads also through the gateway's process; diagnostic)",
    unit: "req/s",
    value: results.gateway[8].rps,
    anchor: "direct @8",
    anchorValue: results.direct[8].rps,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, p50 added @1 with the full pipeline behind it (diagnostic)",
    unit: "ms",
    value: sample([results.gateway[1].p50.median - results.direct[1].p50.median]),
    anchor: "direct p50 @1",
    anchorValue: results.direct[1].p50,
  });

  for (const clients of ENQUEUE_CLIENTS) {
    for (const path of ["direct", "gateway", "minimal"] as const) {
      const r = results[path][clients];
      const label = path === "minimal" ? "minimal server" : `POST /queue-job, ${path}`;
      ratioRow(ctx, {
        scenario: s,
        metric: `${label} req/s @${clients}`,
        unit: "req/s",
        value: r.rps,
        anchor: `pgbench raw charge transaction @${clients}`,
        anchorValue: raw[clients],
      });
      ratioRow(ctx, {
        scenario: s,
        metric: `${label} p99 @${clients}`,
        unit: "ms",
        value: r.p99,
      });
      ctx.curve.push({ series: path, clients, rps: r.rps.median });
    }
    ratioRow(ctx, {
      scenario: s,
      metric: `pgbench enqueue_job with role switch @${clients} (diagnostic anchor)`,
      unit: "tps",
      value: enqueueJob[clients],
      anchor: `pgbench raw charge transaction @${clients}`,
      anchorValue: raw[clients],
    });
    ctx.curve.push({ series: "pgbench raw charge", clients, rps: raw[clients].median });
    ctx.curve.push({
      series: "pgbench enqueue_job",
      clients,
      rps: enqueueJob[clients].median,
    });
  }
  return onlyVsMinimal;
}
