/**
 * Scenario 6: system-metrics on a database holding 1,000,000 jobs (30 days, 2,000 users, 20
 * models), their credit ledger (a charge per job, a refund per failed or cancelled one) and
 * 1,000,000 provider call rows, all made in SQL with generate_series. Measured: the overview's
 * latency through HTTP at a few clients (wrk), the rollup of one day of that database, and the
 * rollup of a day holding 1,000,000 finished jobs (a second million, 45 days back, outside every
 * window the overview reads), each timed around the SQL call. The plans behind the figures are
 * kept as profiles (docs/metrics.md shows them).
 */
import { addProfile, type BenchContext, directUrl, ratioRow } from "../lib/context.ts";
import { sample } from "../lib/stats.ts";
import { runWrk, writeWrkScript } from "../lib/wrk.ts";
import { createTestModel } from "../../tests/support/providers.ts";
import { createTestUser } from "../../tests/support/stack.ts";
import { retryOnDeadlock } from "../lib/fixtures.ts";

const JOBS = 1_000_000;
const CALLS = 1_000_000;
const USERS = 2_000;
const MODELS = 20;

/** `explain analyze` of a SQL function's body, its arguments filled in. */
async function bodyPlan(
  ctx: BenchContext,
  fn: string,
  args: Record<string, string>,
) {
  const [{ src }] = await ctx.fx.admin<{ src: string }[]>`
    select p.prosrc as src from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proname = ${fn}`;
  let body = src;
  for (const [k, v] of Object.entries(args)) body = body.replaceAll(k, v);
  const lines: string[] = [];
  await ctx.fx.admin.begin(async (tx) => {
    const rows = await tx.unsafe(
      `explain (analyze, buffers, costs off, summary on) ${body}`,
    );
    for (const r of rows) lines.push(String(Object.values(r)[0]));
    throw new Error("rollback");
  }).catch(() => {});
  return lines;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** Generates the data; returns the ids the measurements need. */
async function generate(ctx: BenchContext) {
  const sql = ctx.fx.admin;
  // In a full run this scenario comes last, after scenarios that finished some 75,000 jobs within
  // the hour: the overview would aggregate those too (107,627 jobs finished in 24 hours instead of
  // the 33,250 generated below). The measured database is what this scenario generates.
  await retryOnDeadlock(() => sql`delete from public.jobs`);
  await sql`delete from public.usage_logs`;
  await sql`delete from public.api_usage_logs`;
  const models: string[] = [];
  for (let i = 0; i < MODELS; i++) {
    models.push((await createTestModel(sql, ctx.fx.provider.id)).id);
  }
  await sql`insert into auth.users (id, email, raw_user_meta_data)
    select gen_random_uuid(), 'metrics-bench-' || g || '@example.test', '{}'::jsonb
    from generate_series(1, ${USERS - ctx.fx.users.length}) g`;
  const [{ users }] = await sql<{ users: string[] }[]>`
    select array_agg(id) as users from public.profiles`;
  const t = performance.now();
  // The newest 2,000 queued, 500 processing; the rest finished over 30 days: 90% completed,
  // 6% failed, 4% cancelled; runs of 1-31 s.
  await sql`insert into public.jobs (user_id, api_model_id, modality, prompt, status, cost_credits,
      created_at, started_at, completed_at, next_attempt_at, deadline_at)
    select (${users}::uuid[])[1 + g % ${users.length}], (${models}::uuid[])[1 + g % ${MODELS}],
      'image', 'bench', s.status, 1 + g % 2, s.finished - interval '40 seconds',
      case when s.status <> 'queued' then s.finished - make_interval(secs => 1 + (g::bigint * 7919) % 30) end,
      case when s.status not in ('queued', 'processing') then s.finished end,
      now() + interval '1 year', now() + interval '1 year'
    from generate_series(1, ${JOBS}) g,
    lateral (select
      case when g <= 2000 then 'queued' when g <= 2500 then 'processing'
        when g % 100 < 90 then 'completed' when g % 100 < 96 then 'failed' else 'cancelled' end as status,
      case when g <= 2500 then now() - make_interval(secs => g % 3600)
        else now() - make_interval(secs => (g::bigint * 2654435761) % (30 * 86400)) end as finished) s`;
  await sql`insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed, created_at)
    select user_id, id, 'charge', 'generation', cost_credits, created_at from public.jobs
    where prompt = 'bench'`;
  await sql`insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed, created_at)
    select user_id, id, 'refund', 'generation', -cost_credits, completed_at from public.jobs
    where prompt = 'bench' and status in ('failed', 'cancelled')`;
  await sql`insert into public.api_usage_logs (provider_id, model_id, user_id, request_type,
      response_status, response_time_ms, error_message, created_at)
    select ${ctx.fx.provider.id}, (${models}::uuid[])[1 + g % ${MODELS}],
      (${users}::uuid[])[1 + g % ${users.length}], 'image',
      case when g % 50 = 0 then 500 else 201 end, 50 + (g::bigint * 31) % 900,
      case when g % 50 = 0 then 'bench failure' end,
      now() - make_interval(secs => (g::bigint * 40503) % (30 * 86400))
    from generate_series(1, ${CALLS}) g`;
  await sql`vacuum analyze public.jobs, public.usage_logs, public.api_usage_logs, public.profiles`;
  ctx.log(
    `  generated ${JOBS} jobs, their ledger and ${CALLS} calls in ${
      Math.round((performance.now() - t) / 1000)
    } s`,
  );
  return models;
}

/** Runs scenario 6. */
export async function metrics(ctx: BenchContext): Promise<void> {
  const s = "6. system-metrics";
  ctx.log(s);
  const sql = ctx.fx.admin;
  const models = await generate(ctx);
  const admin = await createTestUser(sql, { admin: true });

  const script = await writeWrkScript(ctx.tmpDir, [{
    method: "GET",
    path: "/system-metrics",
    headers: { authorization: `Bearer ${admin.jwt}` },
  }]);
  const durationS = Math.max(5, ctx.opts.durationS);
  const load = async (connections: number) => {
    await runWrk({
      baseUrl: directUrl(ctx, "system-metrics"),
      script,
      connections,
      durationS: 2,
      cpu: ctx.opts.cpu,
    });
    const runs = [];
    for (let i = 0; i < ctx.opts.runs; i++) {
      const r = await runWrk({
        baseUrl: directUrl(ctx, "system-metrics"),
        script,
        connections,
        durationS,
        cpu: ctx.opts.cpu,
      });
      if (r.non2xx > 0) {
        throw new Error(`${r.non2xx} non-2xx answers from GET /system-metrics`);
      }
      runs.push(r);
    }
    return runs;
  };
  const one = await load(1);
  const four = await load(4);
  ratioRow(ctx, {
    scenario: s,
    metric: "GET /system-metrics p95 with 1,000,000 jobs and 1,000,000 calls, 4 clients",
    unit: "ms",
    value: sample(four.map((r) => r.p95Ms)),
    maxValue: 250,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, 1 client (p95)",
    unit: "ms",
    value: sample(one.map((r) => r.p95Ms)),
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "same, 4 clients, throughput",
    unit: "req/s",
    value: sample(four.map((r) => r.rps)),
  });
  addProfile(ctx, s, [
    "system_metrics_overview() body, EXPLAIN ANALYZE:",
    ...await bodyPlan(ctx, "system_metrics_overview", {}),
  ]);

  // One day of the 1M-job database (about 33,000 finished jobs), written from scratch each run.
  const [{ day }] = await sql<{ day: string }[]>`
    select to_char((now() at time zone 'utc')::date - 3, 'YYYY-MM-DD') as day`;
  const rollupRuns = async (d: string) => {
    const ms: number[] = [];
    for (let i = 0; i < ctx.opts.runs + 1; i++) {
      await sql`delete from public.model_performance_logs where date = ${d}::date`;
      const t = await timed(() => sql`select public.rollup_model_performance(${d}::date)`);
      if (i > 0) ms.push(t);
    }
    return ms;
  };
  const [{ n: dayJobs }] = await sql<{ n: number }[]>`
    select count(*)::int as n from public.jobs where completed_at >= ${day}::date
      and completed_at < ${day}::date + 1`;
  ratioRow(ctx, {
    scenario: s,
    metric: `rollup of one day of the 1M-job database (${dayJobs} finished jobs, ${MODELS} models)`,
    unit: "ms",
    value: sample(await rollupRuns(day)),
    maxValue: 2000,
  });

  // A day holding 1,000,000 finished jobs.
  const t = performance.now();
  await sql`insert into public.jobs (user_id, api_model_id, modality, prompt, status, created_at,
      started_at, completed_at)
    select ${admin.id}::uuid, (${models}::uuid[])[1 + g % ${MODELS}], 'image', 'bench-day',
      case when g % 100 < 90 then 'completed' when g % 100 < 96 then 'failed' else 'cancelled' end,
      d.at - interval '1 minute', d.at - make_interval(secs => 1 + g % 30), d.at
    from generate_series(1, ${JOBS}) g,
    lateral (select ((now() at time zone 'utc')::date - 45)::timestamp at time zone 'utc'
      + make_interval(secs => (g::bigint * 7) % 86400) as at) d`;
  await sql`vacuum analyze public.jobs`;
  ctx.log(
    `  added a day of ${JOBS} finished jobs in ${Math.round((performance.now() - t) / 1000)} s`,
  );
  const [{ big }] = await sql<{ big: string }[]>`
    select to_char((now() at time zone 'utc')::date - 45, 'YYYY-MM-DD') as big`;
  ratioRow(ctx, {
    scenario: s,
    metric: `rollup of a day of ${JOBS.toLocaleString("en-US")} finished jobs (${MODELS} models)`,
    unit: "ms",
    value: sample(await rollupRuns(big)),
    maxValue: 2000,
  });
  addProfile(ctx, s, [
    `rollup_model_performance('${big}') body, EXPLAIN ANALYZE:`,
    ...await bodyPlan(ctx, "rollup_model_performance", {
      p_day: `'${big}'::date`,
    }),
  ]);
}
