/**
 * Scenario 3b: the full pipeline. Jobs enqueued over HTTP (8 clients, gateway) are dispatched
 * to the zero-latency Replicate simulator, which calls provider-webhooks back with signed
 * webhooks; outputs are downloaded and stored through the Storage simulator. Reported: jobs/s
 * from first enqueue to last completion, and p50/p99 enqueue-to-completed from the job rows.
 */
import { type BenchContext, drain, ratioRow } from "../lib/context.ts";
import { percentile, repeat } from "../lib/stats.ts";
import { runWrk, writeWrkScript } from "../lib/wrk.ts";
import { enqueueRequests } from "./enqueue.ts";
import { JOB_STATUS } from "../../shared/vocabulary.ts";

/** Runs scenario 3b. */
export async function pipeline(ctx: BenchContext): Promise<void> {
  const { fx, opts } = ctx;
  const s = "3b. full pipeline";
  ctx.log(s);
  const script = await writeWrkScript(
    ctx.tmpDir,
    enqueueRequests(fx.users.slice(0, 64), fx.fastModel.id, "/functions/v1"),
  );
  let failed = 0;
  const r = await repeat(opts.runs, async (warmup) => {
    await drain(ctx, fx.fastModel.id);
    const [{ t0 }] = await fx.admin<{ t0: string }[]>`select now()::text as t0`;
    await runWrk({
      baseUrl: ctx.stack.gatewayUrl,
      script,
      connections: 8,
      durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
      cpu: opts.cpu,
    });
    if (!await drain(ctx, fx.fastModel.id, 300_000)) {
      ctx.log("  warning: did not drain");
    }
    const rows = await fx.admin<
      { status: string; ms: number; created: number; done: number }[]
    >`
      select status, extract(epoch from (completed_at - created_at)) * 1000 as ms,
        extract(epoch from created_at) as created, extract(epoch from completed_at) as done
      from public.jobs where api_model_id = ${fx.fastModel.id}::uuid and created_at >= ${t0}::timestamptz`;
    const completed = rows.filter((x) => x.status === JOB_STATUS.completed);
    if (!warmup) failed += rows.length - completed.length;
    const span = Math.max(...completed.map((x) => x.done)) -
      Math.min(...rows.map((x) => x.created));
    const ms = completed.map((x) => x.ms);
    return {
      jobsPerS: completed.length / span,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
    };
  });
  ctx.measured.pipelineJobsPerS = r.jobsPerS.median;
  const note = failed ? `${failed} jobs did not complete` : "every job completed";
  ratioRow(ctx, {
    scenario: s,
    metric: "jobs/s, enqueue (8 clients) to completed",
    unit: "jobs/s",
    value: r.jobsPerS,
    note,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "enqueue-to-completed p50",
    unit: "ms",
    value: r.p50,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "enqueue-to-completed p99",
    unit: "ms",
    value: r.p99,
  });
}
