/**
 * Scenario 2: `POST /queue-job` (charged enqueue; dispatch runs in the background after each
 * one, providers simulated) at 1, 8 and 32 clients, direct and through the gateway, against
 * pgbench running the same SQL (service-role switch, then `enqueue_job`: cap, charge, insert).
 */
import { addProfile, type BenchContext, directUrl, drain, ratioRow } from "../lib/context.ts";
import { profileUnderLoad } from "../lib/cpuprof.ts";
import { jsonLit, lit, runPgbench, writeScripts } from "../lib/pgbench.ts";
import { repeat } from "../lib/stats.ts";
import type { Sample } from "../lib/types.ts";
import { type PreparedRequest, runWrk, writeWrkScript } from "../lib/wrk.ts";
import type { TestUser } from "../../tests/support/stack.ts";
import { CONTENT_MODE, DESTINATION, MEDIA_KIND, QUALITY } from "../../shared/vocabulary.ts";

/** Client counts of the enqueue curve. */
export const ENQUEUE_CLIENTS = [1, 8, 32];

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

/** Runs scenario 2. */
export async function enqueue(ctx: BenchContext): Promise<void> {
  const { fx, opts } = ctx;
  const s = "2. enqueue";
  ctx.log(s);
  const httpUsers = fx.users.slice(0, 64);
  const anchorUsers = fx.users.slice(64, 128);
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
  const bases = {
    direct: directUrl(ctx, "queue-job"),
    gateway: ctx.stack.gatewayUrl,
  };

  // The job the HTTP path builds for that body (registry default sizes, a server-chosen seed).
  const job = (n: number) =>
    jsonLit({
      modality: MEDIA_KIND.image,
      quality: QUALITY.fast,
      content_mode: CONTENT_MODE.sfw,
      destination: DESTINATION.workspace,
      api_model_id: fx.fastModel.id,
      job_type: null,
      original_prompt: "bench enqueue",
      prompt: "bench enqueue",
      negative_prompt: null,
      num_outputs: 1,
      seed: 1000 + n,
      width: 1024,
      height: 1024,
      aspect_ratio: null,
      duration_seconds: null,
      reference_image_path: null,
      project_id: null,
      metadata: {},
    });
  const anchorScripts = await writeScripts(
    ctx.tmpDir,
    anchorUsers.map((u, i) =>
      [
        "BEGIN;",
        `SELECT set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true);`,
        `SELECT * FROM public.enqueue_job(${lit(u.id)}::uuid, ${job(i)}::jsonb, 1, NULL, NULL);`,
        "COMMIT;",
        "",
      ].join("\n")
    ),
  );
  const anchorIds = anchorUsers.map((u) => u.id);

  const results: Record<string, Record<number, { rps: Sample; p99: Sample }>> = {
    direct: {},
    gateway: {},
  };
  const anchor: Record<number, Sample> = {};
  for (const clients of ENQUEUE_CLIENTS) {
    for (const path of ["direct", "gateway"] as const) {
      ctx.log(`  ${path} @${clients}`);
      results[path][clients] = await repeat(opts.runs, async (warmup) => {
        const r = await runWrk({
          baseUrl: bases[path],
          script: scripts[path],
          connections: clients,
          durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
          cpu: opts.cpu,
        });
        if (r.non2xx > 0) ctx.log(`  warning: ${r.non2xx} non-2xx answers`);
        return { rps: r.rps, p99: r.p99Ms };
      });
      // The next configuration starts without this one's dispatch backlog.
      if (!await drain(ctx, fx.fastModel.id, 300_000)) {
        ctx.log("  warning: backlog did not drain");
      }
    }
    anchor[clients] = (await repeat(opts.runs, async (warmup) => {
      const r = await runPgbench({
        url: ctx.stack.dbUrl,
        scripts: anchorScripts,
        clients,
        durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
        cpu: opts.cpu,
      });
      // The anchor's jobs are not dispatched: nothing of them may load later runs.
      await fx
        .admin`delete from public.jobs where user_id = any(${anchorIds}::uuid[])`;
      return { tps: r.tps };
    })).tps;
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
      durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
      cpu: opts.cpu,
    });
    return { rps: r.rps };
  });
  await fx
    .admin`delete from public.jobs where api_model_id = ${fx.silentModel.id}::uuid`;
  ratioRow(ctx, {
    scenario: s,
    metric: "POST /queue-job req/s @32, direct, provider never calls back (diagnostic)",
    unit: "req/s",
    value: silent.rps,
    anchor: "pgbench enqueue_job with role switch @32",
    anchorValue: anchor[32],
  });

  let missed = false;
  for (const clients of ENQUEUE_CLIENTS) {
    for (const path of ["direct", "gateway"] as const) {
      const r = results[path][clients];
      const row = ratioRow(ctx, {
        scenario: s,
        metric: `POST /queue-job req/s @${clients}, ${path}`,
        unit: "req/s",
        value: r.rps,
        anchor: `pgbench enqueue_job with role switch @${clients}`,
        anchorValue: anchor[clients],
        minRatio: clients === 32 && path === "direct" ? 0.5 : undefined,
      });
      ratioRow(ctx, {
        scenario: s,
        metric: `POST /queue-job p99 @${clients}, ${path}`,
        unit: "ms",
        value: r.p99,
      });
      ctx.curve.push({ series: path, clients, rps: r.rps.median });
      if (row.meets_target === false) missed = true;
    }
    ctx.curve.push({
      series: "pgbench anchor",
      clients,
      rps: anchor[clients].median,
    });
  }
  if (missed) {
    addProfile(ctx, s, [
      "queue-job under the same load (32 clients, direct, background dispatch running), V8 CPU profile:",
      ...await profileUnderLoad({
        name: "queue-job",
        env: ctx.stack.env,
        script: scripts.direct,
        connections: 32,
        durationS: Math.max(3, opts.durationS),
        cpu: opts.cpu,
      }),
    ]);
    await drain(ctx, fx.fastModel.id, 300_000);
  }
}
