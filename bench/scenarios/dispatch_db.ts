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
  /** graphile.mjs: WAL written and row updates of its jobs table while processing. */
  walBytes?: number;
  updates?: number;
  hotUpdates?: number;
}

/** WAL position and a table's update counters, to tell what a drain wrote. */
interface Written {
  lsn: string;
  updates: number;
  hotUpdates: number;
}

async function written(ctx: BenchContext): Promise<Written> {
  // Counters reach pg_stat_user_tables when a backend goes idle or exits (the drain's have).
  await new Promise((r) => setTimeout(r, 1200));
  const [row] = await ctx.fx.admin<Written[]>`
    select pg_current_wal_lsn()::text as lsn, n_tup_upd::int as updates,
      n_tup_hot_upd::int as "hotUpdates"
    from pg_stat_user_tables where schemaname = 'public' and relname = 'jobs'`;
  return row;
}

/** WAL bytes, updates and HOT share per job between two readings. */
async function perJobWrites(ctx: BenchContext, a: Written, b: Written, jobs: number) {
  const [{ bytes }] = await ctx.fx.admin<{ bytes: number }[]>`
    select pg_wal_lsn_diff(${b.lsn}::pg_lsn, ${a.lsn}::pg_lsn)::float8 as bytes`;
  const updates = b.updates - a.updates;
  return {
    walPerJob: bytes / jobs,
    updatesPerJob: updates / jobs,
    hotShare: updates ? (b.hotUpdates - a.hotUpdates) / updates : 0,
  };
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
  let oursWrites: Awaited<ReturnType<typeof perJobWrites>> | undefined;
  const ours = await repeat(opts.runs, async (warmup) => {
    await deleteJobs(fx, model);
    await insertQueuedJobs(fx, model, size(warmup));
    const before = warmup ? undefined : await written(ctx);
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
    if (before) oursWrites = await perJobWrites(ctx, before, await written(ctx), d.jobs);
    if (!warmup) {
      claimShare = d.claimMs! / d.ms;
      claimAvg = d.claimMs! / d.claims!;
      perJob = d.transitionMs! / d.jobs;
    }
    return { rate: d.jobs / (d.ms / 1000) };
  });
  await insertQueuedJobs(fx, model, n);
  const plan = await claimPlan(ctx);
  const [shape] = await fx.admin<{ indexes: number; width: number }[]>`
    select (select count(*)::int from pg_index where indrelid = 'public.jobs'::regclass) as indexes,
      (select avg(pg_column_size(j.*))::int from public.jobs j) as width`;
  await deleteJobs(fx, model);

  let graphileWrites: Drained | undefined;
  const anchor = (script: string, args: string[]) =>
    repeat(opts.runs, async (warmup) => {
      const d = await runNodeJson<Drained>(script, [
        ctx.stack.adminUrl,
        String(size(warmup)),
        ...args,
      ]);
      if (!warmup && d.walBytes !== undefined && args[0] === "1") graphileWrites = d;
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
    ...writesProfile(n, shape, oursWrites, graphileWrites),
    `EXPLAIN ANALYZE of the claim with ${n} jobs queued:`,
    ...plan.map((l) => `    ${l}`),
  ]);
}

/** What each drain wrote: the measurement behind the narrow queue-state question. */
function writesProfile(
  n: number,
  shape: { indexes: number; width: number },
  ours: Awaited<ReturnType<typeof perJobWrites>> | undefined,
  graphile: Drained | undefined,
): string[] {
  const lines = [
    `What the drains wrote (last measured run of each): public.jobs has ${shape.indexes} indexes ` +
    `and ${shape.width} bytes per row on average with ${n} bench jobs.`,
  ];
  if (ours) {
    lines.push(
      `  ours: ${Math.round(ours.walPerJob)} bytes of WAL per job, ${
        ours.updatesPerJob.toFixed(2)
      } updates of its jobs row per job, ${Math.round(ours.hotShare * 100)}% of them HOT.`,
    );
  }
  if (graphile && graphile.walBytes !== undefined) {
    const per = graphile.jobs || 1;
    lines.push(
      `  graphile-worker (defaults): ${Math.round(graphile.walBytes / per)} bytes of WAL per job, ${
        ((graphile.updates ?? 0) / per).toFixed(2)
      } updates of its _private_jobs row per job, ${
        graphile.updates ? Math.round(((graphile.hotUpdates ?? 0) / graphile.updates) * 100) : 0
      }% of them HOT (then one delete).`,
    );
  }
  return lines;
}
