/**
 * Which deliveries may touch which job: only the provider that signed a callback, only the job
 * its URL names; a delivery is claimed before any download; terminal callbacks racing each other
 * never deadlock; OpenRouter callbacks are de-duplicated on what is signed.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { createTestProvider } from "../support/providers.ts";
import { pngBytes } from "../../simulators/media/images.ts";
import { signOpenRouterCallback } from "../../simulators/standard_webhooks.ts";
import { standardWebhookHeaders } from "../../simulators/standard_webhooks.ts";
import { stack, withDb } from "../support/stack.ts";
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";

type Row = Record<string, unknown>;
const env = (k: string) => Deno.env.get(k)!;

/** Posts a Replicate-signed (Standard Webhooks) delivery. */
async function replicateDelivery(
  provider: string,
  body: unknown,
  opts: { id?: string; jobId?: string } = {},
) {
  const raw = JSON.stringify(body);
  const headers = await standardWebhookHeaders({
    secret: env("REPLICATE_WEBHOOK_SECRET"),
    id: opts.id ?? `msg_${crypto.randomUUID()}`,
    timestamp: Math.floor(Date.now() / 1000),
    body: raw,
  });
  const query = `provider=${provider}${opts.jobId ? `&job_id=${opts.jobId}` : ""}`;
  const res = await fetch(`${stack.gatewayUrl}/functions/v1/provider-webhooks/replicate?${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: raw,
  });
  return { status: res.status, body: await res.json() as Row };
}

/** Posts an OpenRouter-signed video callback. */
async function openRouterDelivery(
  provider: string,
  data: Row,
  opts: { jobId?: string; idempotencyKey?: string } = {},
) {
  const raw = JSON.stringify({ type: `video.generation.${data.status}`, data });
  const signature = await signOpenRouterCallback(
    env("OPENROUTER_WEBHOOK_SECRET"),
    String(Math.floor(Date.now() / 1000)),
    new TextEncoder().encode(raw),
  );
  const query = `provider=${provider}${opts.jobId ? `&job_id=${opts.jobId}` : ""}`;
  const res = await fetch(
    `${stack.gatewayUrl}/functions/v1/provider-webhooks/openrouter?${query}`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-openrouter-signature": signature,
        "x-openrouter-idempotency-key": opts.idempotencyKey ?? crypto.randomUUID(),
      },
      body: raw,
    },
  );
  return { status: res.status, body: await res.json() as Row };
}

/** A processing job on a Replicate-simulator model that never calls back on its own. */
async function heldJob(sql: Sql, user: { jwt: string }, provider: ProviderRow, outputs = 1) {
  const model = await createSimModel(sql, provider.id, {
    delay_ms: 60_000,
    webhook: { drop: ["start", "output", "logs", "completed"] },
  });
  const created = await callFn(user as never, "POST", "/queue-job", {
    prompt: "held",
    model_id: model.id,
    num_images: outputs,
  });
  assertEquals(created.status, 202, JSON.stringify(created.body));
  return await waitForJob(sql, (created.body.job as Row).id as string, ["processing"]);
}

const openRouterProvider = (sql: Sql) =>
  createTestProvider(sql, {
    adapter: "openrouter",
    base_url: env("OPENROUTER_BASE_URL"),
    secret_name: "OPENROUTER_API_KEY",
    webhook_secret_name: "OPENROUTER_WEBHOOK_SECRET",
    allowed_output_hosts: env("SIM_OUTPUT_HOSTS").split(","),
  });

async function jobState(sql: Sql, id: string) {
  const [job] = await sql`select status, error_code from public.jobs where id = ${id}`;
  const [{ refunds }] =
    await sql`select count(*)::int as refunds from public.usage_logs where job_id = ${id} and kind = 'refund'`;
  const [{ events }] =
    await sql`select count(*)::int as events from public.webhook_events where job_id = ${id}`;
  const [{ assets }] =
    await sql`select count(*)::int as assets from public.workspace_assets where job_id = ${id}`;
  return { status: job.status, refunds, events, assets };
}

Deno.test("a callback signed by one provider never changes another provider's job", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const replicate = await createSimProvider(sql);
    const openrouter = await openRouterProvider(sql);
    try {
      const job = await heldJob(sql, user, replicate);
      const id = job.id as string;
      const predictionId = job.provider_prediction_id as string;
      const untouched = { status: "processing", refunds: 0, events: 0, assets: 0 };

      const failed = await openRouterDelivery(openrouter.name, {
        id: predictionId,
        status: "failed",
        error: "forged",
      });
      assertEquals([failed.status, failed.body.status], [200, "ignored"]);
      assertEquals(await jobState(sql, id), untouched, "an OpenRouter failure cannot fail it");

      const png = btoa(String.fromCharCode(...await pngBytes(8, 8)));
      const completed = await openRouterDelivery(openrouter.name, {
        id: predictionId,
        status: "completed",
        unsigned_urls: [`data:image/png;base64,${png}`],
      }, { jobId: id });
      assertEquals([completed.status, completed.body.status], [200, "ignored"]);
      assertEquals(await jobState(sql, id), untouched, "nor complete it with its own image");

      // Replicate's own signature, but the URL names another job: only that job may be touched.
      const other = await replicateDelivery(replicate.name, {
        id: predictionId,
        status: "failed",
        error: "wrong job",
      }, { jobId: crypto.randomUUID() });
      assertEquals([other.status, other.body.status], [200, "ignored"]);
      assertEquals(
        await jobState(sql, id),
        untouched,
        "a job_id naming another job changes nothing",
      );

      const genuine = await replicateDelivery(replicate.name, {
        id: predictionId,
        status: "failed",
        error: "real failure",
      }, { jobId: id });
      assertEquals([genuine.status, genuine.body.status], [200, "failed"]);
      assertEquals((await jobState(sql, id)).refunds, 1, "the signing provider's report applies");
    } finally {
      await cleanup(sql, [user], [replicate, openrouter]);
    }
  });
});

Deno.test("concurrent terminal callbacks for one job never deadlock: each answers 200, one refund", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const replicate = await createSimProvider(sql);
    try {
      for (const mix of [["failed"], ["failed", "canceled"]]) {
        const job = await heldJob(sql, user, replicate);
        const deliveries = Array.from({ length: 10 }, (_, i) =>
          replicateDelivery(replicate.name, {
            id: job.provider_prediction_id,
            status: mix[i % mix.length],
            error: "boom",
          }));
        const answers = await Promise.all(deliveries);
        assertEquals(
          answers.map((a) => a.status),
          Array(10).fill(200),
          JSON.stringify(answers.filter((a) => a.status !== 200)),
        );
        const state = await jobState(sql, job.id as string);
        assertOk(["failed", "cancelled"].includes(state.status), state.status);
        assertEquals(state.refunds, 1, "refunded once");
        assertEquals(state.events, 10, "every distinct delivery recorded once");
        assertEquals(
          answers.filter((a) => a.body.status === "failed" || a.body.status === "cancelled").length,
          1,
          "exactly one delivery ended the job",
        );
      }
    } finally {
      await cleanup(sql, [user], [replicate]);
    }
  });
});

Deno.test("copies of one delivery are claimed before any download: the outputs are fetched once", async () => {
  let downloads = 0;
  const png = await pngBytes(16, 16);
  const files = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    downloads++;
    // Slow enough that every copy arrives while the first is still downloading.
    await new Promise((r) => setTimeout(r, 200));
    return new Response(png, { headers: { "content-type": "image/png" } });
  });
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const replicate = await createSimProvider(sql, { allowed_output_hosts: ["127.0.0.1"] });
    try {
      const job = await heldJob(sql, user, replicate);
      const body = {
        id: job.provider_prediction_id,
        status: "succeeded",
        output: [`http://127.0.0.1:${files.addr.port}/out.png`],
      };
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => replicateDelivery(replicate.name, body, { id: "same" })),
      );
      assertEquals(answers.map((a) => a.status), Array(20).fill(200));
      assertEquals(answers.filter((a) => a.body.status === "completed").length, 1);
      assertEquals(answers.filter((a) => a.body.status === "duplicate").length, 19);
      assertEquals(downloads, 1, "only the claiming copy downloaded");
      assertEquals(await jobState(sql, job.id as string), {
        status: "completed",
        refunds: 0,
        events: 1,
        assets: 1,
      });
    } finally {
      await cleanup(sql, [user], [replicate]);
    }
  });
  await files.shutdown();
});

Deno.test("OpenRouter callbacks are de-duplicated on the signed body, not the unsigned idempotency header", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const openrouter = await openRouterProvider(sql);
    try {
      const [{ job_id: id }] = await sql`select job_id from public.enqueue_job(${user.id}::uuid,
        ${sql.json({ modality: "video", prompt: "held", num_outputs: 1 })}, 2)`;
      const generation = `vid-${crypto.randomUUID()}`;
      // A processing job on the OpenRouter provider, linked to its generation id.
      const [{ id: modelId }] = await sql`insert into public.api_models (provider_id, model_key,
        display_name, modality, task) values (${openrouter.id}, ${`sim/${generation}`}, 'v', 'video',
        'generation') returning id`;
      await sql`update public.jobs set status = 'processing', api_model_id = ${modelId},
        provider_prediction_id = ${generation}, started_at = now() where id = ${id}`;

      const data = { id: generation, status: "processing" };
      const first = await openRouterDelivery(openrouter.name, data, { idempotencyKey: "k1" });
      const replay = await openRouterDelivery(openrouter.name, data, { idempotencyKey: "k2" });
      const replay2 = await openRouterDelivery(openrouter.name, data, { idempotencyKey: "k3" });
      assertEquals(
        [first.body.status, replay.body.status, replay2.body.status],
        ["noted", "duplicate", "duplicate"],
      );
      const [{ n }] =
        await sql`select count(*)::int as n from public.webhook_events where job_id = ${id}`;
      assertEquals(n, 1, "one record for one signed event, whatever the header said");
    } finally {
      await cleanup(sql, [user], [openrouter]);
    }
  });
});
