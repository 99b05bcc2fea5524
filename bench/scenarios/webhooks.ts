/**
 * Scenario 4: signed Replicate webhooks/s into provider-webhooks (verify, look up the job,
 * record the delivery, download the output from the simulator, store it through the Storage
 * simulator, complete the job), each request a different job; anchor: the same posts to a
 * bare Hono route that only verifies the signature.
 */
import {
  addProfile,
  type BenchContext,
  directUrl,
  ratioRow,
  webhooksSettled,
} from "../lib/context.ts";
import { profileUnderLoad } from "../lib/cpuprof.ts";
import { insertQueuedJobs, OUTPUT_SIZE, retryOnDeadlock } from "../lib/fixtures.ts";
import { spawnDeno, waitFor200 } from "../lib/procs.ts";
import { repeat } from "../lib/stats.ts";
import { type PreparedRequest, runWrk, writeWrkScript } from "../lib/wrk.ts";
import { freePort } from "../../scripts/lib/cluster.ts";
import { signStandardWebhook } from "../../shared/providers/webhook_signatures.ts";

const CLIENTS = 32;

async function pool<T, R>(
  items: T[],
  lanes: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/**
 * `count` processing jobs whose predictions exist (succeeded) in the simulator, and one signed
 * `completed` webhook for each, as Replicate would send it.
 */
async function prepare(
  ctx: BenchContext,
  count: number,
): Promise<PreparedRequest[]> {
  const { fx, stack } = ctx;
  const model = fx.quietDoneModel;
  const jobIds = await insertQueuedJobs(fx, model.id, count);
  const base = stack.env.REPLICATE_BASE_URL;
  const auth = { authorization: `Bearer ${stack.env.REPLICATE_API_TOKEN}` };
  const predictionIds = await pool(jobIds, 32, async (jobId) => {
    const res = await fetch(`${base}/predictions`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        version: model.version,
        input: { prompt: `bench ${jobId}`, num_outputs: 1, ...OUTPUT_SIZE },
      }),
    });
    return ((await res.json()) as { id: string }).id;
  });
  // Bench bookkeeping: these jobs are "submitted" without a dispatcher round.
  await fx
    .admin`update public.jobs j set status = 'processing', provider_prediction_id = p.pid,
      started_at = now(), attempts = 1, lease_expires_at = null
    from unnest(${jobIds}::uuid[], ${predictionIds}::text[]) as p(jid, pid) where j.id = p.jid`;
  const bodies = await pool(predictionIds, 32, async (id) => {
    for (;;) {
      const res = await fetch(`${base}/predictions/${id}`, { headers: auth });
      const text = await res.text();
      if (JSON.parse(text).status === "succeeded") return text;
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  const secret = stack.env.REPLICATE_WEBHOOK_SECRET;
  const ts = String(Math.floor(Date.now() / 1000));
  return await Promise.all(bodies.map(async (body, i) => {
    const id = `msg_bench_${crypto.randomUUID()}`;
    return {
      method: "POST" as const,
      path: `/provider-webhooks/replicate?provider=${encodeURIComponent(fx.provider.name)}&job_id=${
        jobIds[i]
      }`,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": ts,
        "webhook-signature": await signStandardWebhook(
          secret,
          id,
          ts,
          new TextEncoder().encode(body),
        ),
      },
      body,
    };
  }));
}

/** Runs scenario 4. */
export async function webhooks(ctx: BenchContext): Promise<void> {
  const { opts, fx } = ctx;
  const s = "4. webhook ingestion";
  ctx.log(s);
  // Callbacks left over from the scenarios before would compete with the measured ones.
  await webhooksSettled(ctx);
  let perRun = 1000;
  let wrapped = 0;
  let last: PreparedRequest[] = [];
  const ours = await repeat(opts.runs, async (warmup) => {
    const duration = warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS;
    last = await prepare(ctx, warmup ? 500 : perRun);
    const script = await writeWrkScript(ctx.tmpDir, last);
    const r = await runWrk({
      baseUrl: directUrl(ctx, "provider-webhooks"),
      script,
      connections: CLIENTS,
      durationS: duration,
      cpu: opts.cpu,
    });
    if (r.non2xx > 0) ctx.log(`  warning: ${r.non2xx} non-2xx answers`);
    // Enough distinct jobs for the next run at twice this rate.
    perRun = Math.max(perRun, Math.ceil(r.rps * opts.durationS * 2));
    if (!warmup) wrapped += r.wrapped;
    return { rps: r.rps, p99: r.p99Ms };
  });
  const [{ completed }] = await fx.admin<{ completed: number }[]>`
    select count(*)::int as completed from public.jobs
    where api_model_id = ${fx.quietDoneModel.id}::uuid and status = 'completed'`;
  // Jobs no request reached would be polled by the reconciler later and load other scenarios.
  await retryOnDeadlock(() =>
    fx.admin`delete from public.jobs
      where api_model_id = ${fx.quietDoneModel.id}::uuid and status <> 'completed'`
  );

  const port = freePort();
  const anchorServer = spawnDeno("bench/servers/webhook_verify.ts", {
    PORT: String(port),
    REPLICATE_WEBHOOK_SECRET: ctx.stack.env.REPLICATE_WEBHOOK_SECRET,
  });
  let anchor;
  try {
    await waitFor200(
      `http://127.0.0.1:${port}/provider-webhooks/health`,
      performance.now(),
    );
    const script = await writeWrkScript(ctx.tmpDir, last);
    anchor = await repeat(opts.runs, async (warmup) => {
      const r = await runWrk({
        baseUrl: `http://127.0.0.1:${port}`,
        script,
        connections: CLIENTS,
        durationS: warmup ? Math.max(1, Math.ceil(opts.durationS / 2)) : opts.durationS,
        cpu: opts.cpu,
      });
      return { rps: r.rps };
    });
  } finally {
    await anchorServer.stop();
  }
  ratioRow(ctx, {
    scenario: s,
    metric: "signed webhooks/s @32 (download + store + complete), direct",
    unit: "req/s",
    value: ours.rps,
    anchor: "bare Hono route, signature check only @32",
    anchorValue: anchor.rps,
    note: `${completed} jobs completed by webhooks${
      wrapped ? `; ${wrapped} requests reused a job (duplicates)` : ""
    }`,
  });
  ratioRow(ctx, {
    scenario: s,
    metric: "webhook p99 @32, direct",
    unit: "ms",
    value: ours.p99,
  });
  // No target, but the ratio is the lowest in the table: show where the time goes.
  const fresh = await writeWrkScript(ctx.tmpDir, await prepare(ctx, perRun));
  addProfile(ctx, s, [
    "provider-webhooks under the same load (32 clients, direct), V8 CPU profile:",
    ...await profileUnderLoad({
      name: "provider-webhooks",
      env: ctx.stack.env,
      script: fresh,
      connections: CLIENTS,
      durationS: Math.max(3, opts.durationS),
      cpu: opts.cpu,
    }),
  ]);
  await retryOnDeadlock(() =>
    fx.admin`delete from public.jobs
      where api_model_id = ${fx.quietDoneModel.id}::uuid and status <> 'completed'`
  );
}
