/**
 * Scenario 2: `POST /queue-job` (charged enqueue; dispatch runs in the background after each
 * one, providers simulated) at 1, 8 and 32 clients, direct and through the gateway. Anchors, all
 * on the same database in the same run: the minimal hand-written server (bench/servers/minimal.ts,
 * one `enqueue_job` call per request), the raw charge transaction in pgbench (the balance update
 * and the two inserts as plain SQL: what enqueue_job does at the least) and, as a diagnostic,
 * pgbench running our own `enqueue_job`. The enqueue-only diagnostic runs a second queue-job
 * process with DISPATCH_AFTER_ENQUEUE=false, and the dispatch its backlog needs is measured
 * after it.
 */
import { addProfile, type BenchContext, directUrl, drain } from "../lib/context.ts";
import { profileUnderLoad } from "../lib/cpuprof.ts";
import { activeJobs, retryOnDeadlock } from "../lib/fixtures.ts";
import { benchJob, startMinimalServer } from "../lib/minimal_server.ts";
import { jsonLit, lit, runPgbench, writeScripts } from "../lib/pgbench.ts";
import { spawnDeno, waitFor200 } from "../lib/procs.ts";
import { repeat } from "../lib/stats.ts";
import type { Sample } from "../lib/types.ts";
import { ENQUEUE_CLIENTS, type Load, reportEnqueue } from "./enqueue_report.ts";
import { type PreparedRequest, runWrk, writeWrkScript } from "../lib/wrk.ts";
import { freePort } from "../../scripts/lib/cluster.ts";
import type { TestUser } from "../../tests/support/stack.ts";

/** The request list: one POST per user, cycled. */
export function enqueueRequests(
  users: TestUser[],
  modelId: string,
  prefix: string,
): PreparedRequest[] {
  return users.map((u) => ({
    method: "POST",
    path: `${prefix}/queue-job`,
    headers: {
      authorization: `Bearer ${u.jwt}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ prompt: "bench enqueue", model_id: modelId }),
  }));
}

/**
 * The raw charge transaction for one user, as pgbench runs it: the balance update, the job
 * insert and the ledger insert in one transaction, plain SQL, no cap, idempotency or role switch.
 */
export function rawChargeScript(userId: string, modelId: string): string {
  const user = lit(userId);
  return [
    "BEGIN;",
    `UPDATE public.profiles SET token_balance = token_balance - 1 WHERE id = ${user} RETURNING token_balance \\gset`,
    `INSERT INTO public.jobs (user_id, status, modality, quality, content_mode, destination, api_model_id, format, original_prompt, prompt, num_outputs, seed, width, height, cost_credits, deadline_at, metadata) VALUES (${user}, 'queued', 'image', 'fast', 'sfw', 'workspace', ${
      lit(modelId)
    }, 'image', 'bench enqueue', 'bench enqueue', 1, 1000, 1024, 1024, 1, now() + interval '30 minutes', '{}') RETURNING id \\gset`,
    `INSERT INTO public.usage_logs (user_id, job_id, kind, action, credits_consumed, balance_after, format, quality, metadata) VALUES (${user}, :id, 'charge', 'generation', 1, :token_balance, 'image', 'fast', ${
      jsonLit({ model_id: modelId })
    });`,
    "COMMIT;",
    "",
  ].join("\n");
}

/** Runs scenario 2. */
export async function enqueue(ctx: BenchContext): Promise<void> {
  const { fx, opts } = ctx;
  const s = "2. enqueue";
  ctx.log(s);
  const httpUsers = fx.users.slice(0, 64);
  const anchorUsers = fx.users.slice(64, 128);
  const anchorIds = anchorUsers.map((u) => u.id);
  const scripts = {
    direct: await writeWrkScript(
      ctx.tmpDir,
      enqueueRequests(httpUsers, fx.fastModel.id, ""),
    ),
    gateway: await writeWrkScript(
      ctx.tmpDir,
      enqueueRequests(httpUsers, fx.fastModel.id, "/functions/v1"),
    ),
  };
  const seconds = (warmup: boolean) =>
    warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS;
  const wrkLoad = (baseUrl: string, script: string, clients: number) =>
    repeat(opts.runs, async (warmup) => {
      const r = await runWrk({
        baseUrl,
        script,
        connections: clients,
        durationS: seconds(warmup),
        cpu: opts.cpu,
      });
      if (r.non2xx > 0) ctx.log(`  warning: ${r.non2xx} non-2xx answers`);
      return { rps: r.rps, p50: r.p50Ms, p99: r.p99Ms };
    });
  const pgLoad = (scriptPaths: string[], clients: number) =>
    repeat(opts.runs, async (warmup) => {
      const r = await runPgbench({
        url: ctx.stack.dbUrl,
        scripts: scriptPaths,
        clients,
        durationS: seconds(warmup),
        cpu: opts.cpu,
      });
      // The anchors' jobs are not dispatched: nothing of them may load later runs.
      await retryOnDeadlock(() =>
        fx.admin`delete from public.jobs where user_id = any(${anchorIds}::uuid[])`
      );
      return { tps: r.tps };
    });
  // Jobs a server that never dispatches left queued (the minimal server, enqueue-only runs).
  const dropQueued = () =>
    retryOnDeadlock(() =>
      fx.admin`delete from public.jobs
        where api_model_id = ${fx.fastModel.id}::uuid and status = 'queued'`
    );

  const bases = { direct: directUrl(ctx, "queue-job"), gateway: ctx.stack.gatewayUrl };
  // The SQL the HTTP path sends: the service-role switch, then enqueue_job (cap, charge, insert).
  const enqueueJobScripts = await writeScripts(
    ctx.tmpDir,
    anchorUsers.map((u, i) =>
      [
        "BEGIN;",
        `SELECT set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);`,
        `SELECT * FROM public.enqueue_job(${lit(u.id)}::uuid, ${
          jsonLit(benchJob(fx.fastModel.id, 1000 + i))
        }::jsonb, 1, NULL, NULL);`,
        "COMMIT;",
        "",
      ].join("\n")
    ),
  );
  const rawScripts = await writeScripts(
    ctx.tmpDir,
    anchorUsers.map((u) => rawChargeScript(u.id, fx.fastModel.id)),
  );

  const results: Record<"direct" | "gateway" | "minimal", Record<number, Load>> = {
    direct: {},
    gateway: {},
    minimal: {},
  };
  const enqueueJob: Record<number, Sample> = {};
  const raw: Record<number, Sample> = {};
  const minimal = await startMinimalServer(ctx);
  try {
    for (const clients of ENQUEUE_CLIENTS) {
      for (const path of ["direct", "gateway"] as const) {
        ctx.log(`  ${path} @${clients}`);
        results[path][clients] = await wrkLoad(bases[path], scripts[path], clients);
        // The next configuration starts without this one's dispatch backlog.
        if (!await drain(ctx, fx.fastModel.id, 300_000)) {
          ctx.log("  warning: backlog did not drain");
        }
      }
      ctx.log(`  minimal server @${clients}`);
      results.minimal[clients] = await wrkLoad(minimal.url, scripts.direct, clients);
      await dropQueued();
      enqueueJob[clients] = (await pgLoad(enqueueJobScripts, clients)).tps;
      raw[clients] = (await pgLoad(rawScripts, clients)).tps;
    }
  } finally {
    await minimal.stop();
  }

  // Enqueue alone: a second queue-job process that starts no dispatch after an enqueue (the
  // scheduler's run picks the jobs up). Then the dispatch those jobs need, measured on its own:
  // dispatch rounds (the scheduler's route) until every job of the backlog has completed.
  const onlyPort = freePort();
  const only = spawnDeno("functions/queue-job/index.ts", {
    ...ctx.stack.env,
    PORT: String(onlyPort),
    DISPATCH_AFTER_ENQUEUE: "false",
  });
  const onlyUrl = `http://127.0.0.1:${onlyPort}`;
  const enqueueOnly: Record<number, Load> = {};
  const dispatchRates: number[] = [];
  try {
    await waitFor200(`${onlyUrl}/queue-job/health`, performance.now());
    for (const clients of [1, 32]) {
      ctx.log(`  enqueue only @${clients}`);
      enqueueOnly[clients] = await repeat(opts.runs, async (warmup) => {
        const r = await runWrk({
          baseUrl: onlyUrl,
          script: scripts.direct,
          connections: clients,
          durationS: seconds(warmup),
          cpu: opts.cpu,
        });
        if (r.non2xx > 0) ctx.log(`  warning: ${r.non2xx} non-2xx answers`);
        const backlog = await activeJobs(fx, fx.fastModel.id);
        const started = performance.now();
        if (!await drain(ctx, fx.fastModel.id, 300_000)) {
          ctx.log("  warning: backlog did not drain");
        }
        if (!warmup && clients === 32) {
          dispatchRates.push(backlog / ((performance.now() - started) / 1000));
        }
        return { rps: r.rps, p50: r.p50Ms, p99: r.p99Ms };
      });
    }
  } finally {
    await only.stop();
    await dropQueued();
  }

  // Diagnostic: @32 direct with a model whose simulated provider accepts and never calls back,
  // so dispatch still runs but no webhook, download or storage work competes for the CPU.
  ctx.log("  direct @32, silent provider (diagnostic)");
  const silentScript = await writeWrkScript(
    ctx.tmpDir,
    enqueueRequests(httpUsers, fx.silentModel.id, ""),
  );
  const silent = await repeat(opts.runs, async (warmup) => {
    const r = await runWrk({
      baseUrl: bases.direct,
      script: silentScript,
      connections: 32,
      durationS: seconds(warmup),
      cpu: opts.cpu,
    });
    return { rps: r.rps };
  });
  // The dev gateway's own cost, at 1 and 8 clients, with the silent provider: with the fast one,
  // each job's two webhooks and its output upload also pass through the gateway's process (it
  // hosts the simulators), and the comparison measures that process's load, not the hop.
  const silentGatewayScript = await writeWrkScript(
    ctx.tmpDir,
    enqueueRequests(httpUsers, fx.silentModel.id, "/functions/v1"),
  );
  const hop: Record<string, Load> = {};
  for (const clients of [1, 8]) {
    for (const path of ["direct", "gateway"] as const) {
      ctx.log(`  ${path} @${clients}, silent provider (gateway cost)`);
      hop[`${path}${clients}`] = await wrkLoad(
        bases[path],
        path === "direct" ? silentScript : silentGatewayScript,
        clients,
      );
    }
  }
  await retryOnDeadlock(() =>
    fx.admin`delete from public.jobs where api_model_id = ${fx.silentModel.id}::uuid`
  );

  const onlyVsMinimal = reportEnqueue(ctx, {
    results,
    enqueueOnly,
    dispatchRates,
    silent,
    hop,
    raw,
    enqueueJob,
  });
  if (onlyVsMinimal.meets_target === false) {
    addProfile(ctx, s, [
      "queue-job, enqueue only (DISPATCH_AFTER_ENQUEUE=false), 32 clients direct, V8 CPU profile:",
      ...await profileUnderLoad({
        name: "queue-job",
        env: { ...ctx.stack.env, DISPATCH_AFTER_ENQUEUE: "false" },
        script: scripts.direct,
        connections: 32,
        durationS: Math.max(3, opts.durationS),
        cpu: opts.cpu,
      }),
    ]);
    await dropQueued();
  }
}
