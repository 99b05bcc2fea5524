/**
 * Scenario 3a: the dispatcher's database path alone (claim 20,000 queued jobs, mark them
 * submitted, complete them) against graphile-worker and pg-boss processing as many no-op jobs
 * on the same database, each in its own process.
 */
import { addProfile, type BenchContext, ratioRow } from "../lib/context.ts";
import { deleteJobs, insertQueuedJobs } from "../lib/fixtures.ts";
import { runNodeJson } from "../lib/node.ts";
import { repeat } from "../lib/stats.ts";
import { REPO_ROOT } from "../../scripts/lib/cluster.ts";
import { run } from "../../scripts/lib/process.ts";

interface Drained {
  jobs: number;
  ms: number;
  claimMs?: number;
  claims?: number;
  transitionMs?: number;
}

/**
 * The claim's plan with `queued` jobs waiting: the body of claim_due_jobs as migrated (its
 * parameters filled in as the dispatcher calls it), rolled back so nothing stays leased.
 */
async function claimPlan(ctx: BenchContext): Promise<string[]> {
  const plan: string[] = [];
  await ctx.fx.admin.begin(async (tx) => {
    const [{ src }] = await tx<{ src: string }[]>`
      select p.prosrc as src from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.proname = 'claim_due_jobs'`;
    const body = src.replaceAll("p_limit", "25").replaceAll("p_lease_seconds", "120");
    const rows = await tx.unsafe(
      `explain (analyze, costs off, timing on, summary on) ${body}`,
    );
    for (const r of rows) plan.push(String(Object.values(r)[0]));
    // Throwing rolls the transaction back: the leases taken by ANALYZE are undone.
    throw new Error("rollback");
  }).catch(() => {});
  return plan;
}

/** Runs scenario 3a. */
export async function dispatchDb(ctx: BenchContext): Promise<void> {
  const { fx, opts } = ctx;
  const s = "3a. dispatch, database path";
  const n = opts.drainJobs;
  ctx.log(`${s} (${n} jobs)`);
  const size = (warmup: boolean) => warmup ? Math.max(500, Math.round(n / 10)) : n;
  const model = fx.silentModel.id;

  let claimShare = 0;
  let claimAvg = 0;
  let perJob = 0;
  const ours = await repeat(opts.runs, async (warmup) => {
    await deleteJobs(fx, model);
    await insertQueuedJobs(fx, model, size(warmup));
    const res = await run([
      Deno.execPath(),
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      "--config",
      "deno.json",
      "bench/workers/db_path.ts",
    ], {
      cwd: REPO_ROOT,
      env: { ...ctx.stack.env, SUPABASE_DB_URL: ctx.stack.dbUrl },
    });
    const d = JSON.parse(res.stdout.trim().split("\n").at(-1)!) as Drained;
    if (!warmup) {
      claimShare = d.claimMs! / d.ms;
      claimAvg = d.claimMs! / d.claims!;
      perJob = d.transitionMs! / d.jobs;
    }
    return { rate: d.jobs / (d.ms / 1000) };
  });
  await insertQueuedJobs(fx, model, n);
  const plan = await claimPlan(ctx);
  await deleteJobs(fx, model);

  const anchor = (script: string, args: string[]) =>
    repeat(opts.runs, async (warmup) => {
      const d = await runNodeJson<Drained>(script, [
        ctx.stack.adminUrl,
        String(size(warmup)),
        ...args,
      ]);
      return { rate: d.jobs / (d.ms / 1000) };
    });
  ctx.log("  graphile-worker (defaults)");
  const graphileDefault = await anchor("graphile.mjs", ["1"]);
  ctx.log("  graphile-worker (concurrency 8)");
  const graphile8 = await anchor("graphile.mjs", ["8"]);
  ctx.log("  pg-boss");
  const pgboss = await anchor("pgboss.mjs", ["2", "100"]);

  ratioRow(ctx, {
    scenario: s,
    metric: `claim + submitted + completed, jobs/s (${n} jobs)`,
    unit: "jobs/s",
    value: ours.rate,
    anchor: "graphile-worker 0.16 defaults (concurrency 1), no-op jobs",
    anchorValue: graphileDefault.rate,
    minRatio: 1.0,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, vs graphile-worker concurrency 8",
    unit: "jobs/s",
    value: ours.rate,
    anchor: "graphile-worker 0.16 concurrency 8, no-op jobs",
    anchorValue: graphile8.rate,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, vs pg-boss",
    unit: "jobs/s",
    value: ours.rate,
    anchor: "pg-boss 10, 2 workers x batchSize 100, polling 0.5 s",
    anchorValue: pgboss.rate,
  });
  addProfile(ctx, s, [
    `Timing spans in the drain process: claim_due_jobs took ${
      Math.round(claimShare * 100)
    }% of the wall time, ${claimAvg.toFixed(1)} ms per claim of 25 (averaged over the drain, ` +
    `from ${n} queued jobs down to 0). The rest is the two job_transition transactions per job ` +
    `(submitted, then complete; each with the service-role switch), ${
      perJob.toFixed(1)
    } ms per job ` +
    `with 8 in flight on a pool of 4 connections; graphile-worker and pg-boss take one fetch for ` +
    `many jobs and one completion per job (or per batch).`,
    `EXPLAIN ANALYZE of the claim with ${n} jobs queued:`,
    ...plan.map((l) => `    ${l}`),
  ]);
}
