import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  dispatch,
  waitForJob,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

type Row = Record<string, unknown>;
const jobId = (res: { body: Row }) => (res.body.job as Row).id as string;

Deno.test("a lost webhook is recovered by the reconciler", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { webhook: { drop: true } });
      const id = jobId(
        await callFn(user, "POST", "/queue-job", { prompt: "quiet", model_id: model.id }),
      );
      await waitForJob(sql, id, ["processing"]);
      await new Promise((r) => setTimeout(r, 300));
      const [still] = await sql`select status from public.jobs where id = ${id}`;
      assertEquals(still.status, "processing", "no webhook arrived");
      const counts = await dispatch({ webhook_overdue_seconds: 0 });
      assertOk(counts.reconciled >= 1, JSON.stringify(counts));
      const [done] = await sql`select status from public.jobs where id = ${id}`;
      assertEquals(done.status, "completed");
      assertEquals(
        (await sql`select 1 from public.workspace_assets where job_id = ${id}`).length,
        1,
      );
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a job whose worker died after claiming is dispatched again once the lease expires", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id);
      // Enqueued with SQL directly, so no background dispatch races the simulated crash.
      const [{ job_id: id }] = await sql`select job_id from public.enqueue_job(${user.id}::uuid,
        ${
        sql.json({ modality: "image", prompt: "crash", api_model_id: model.id, num_outputs: 1 })
      }, 1)`;
      const claimed =
        await sql`select id from public.claim_due_jobs(1000, 1) where user_id = ${user.id}`;
      assertEquals(claimed.length, 1, "claimed by a worker that then dies");
      // A dispatch run while the lease holds must leave the job alone (checked just below).
      await dispatch();
      const [leased] =
        await sql`select status, lease_expires_at > now() as held from public.jobs where id = ${id}`;
      assertEquals(
        [leased.status, leased.held],
        ["queued", true],
        "nobody else takes it while the lease holds",
      );
      await new Promise((r) => setTimeout(r, 1100));
      const done = await waitForJob(sql, id);
      assertEquals(done.status, "completed");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("provider 5xx: retried with backoff on the same model, then the next model by priority", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const failing = await createSimModel(sql, provider.id, { create_status: 503 }, {
        priority: 100,
      });
      const healthy = await createSimModel(sql, provider.id, {}, { priority: 90 });
      const id = jobId(
        await callFn(user, "POST", "/queue-job", { prompt: "flaky", model_id: failing.id }),
      );
      for (let round = 0; round < 6; round++) {
        const [job] =
          await sql`select status, attempts, next_attempt_at > now() as waiting from public.jobs where id = ${id}`;
        if (job.status !== "queued") break;
        if (job.attempts > 0) {
          assertEquals(job.waiting, true, "a retry is scheduled later (backoff)");
        }
        await sql`update public.jobs set next_attempt_at = now() where id = ${id} and status = 'queued'`;
        await dispatch();
      }
      const done = await waitForJob(sql, id);
      assertEquals(done.status, "completed", JSON.stringify(done));
      assertEquals(done.api_model_id, healthy.id, "completed on the fallback model");
      assertEquals(done.attempts, 3);
      const calls =
        await sql`select model_id, response_status from public.api_usage_logs where job_id = ${id} order by created_at`;
      assertEquals(
        calls.map((c) =>
          c.model_id === failing.id
            ? `failing:${c.response_status}`
            : `healthy:${c.response_status}`
        ),
        ["failing:503", "failing:503", "healthy:201"],
      );
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("provider 429 waits for Retry-After without using an attempt; exhausted attempts fail with a refund", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const throttled = await createSimModel(sql, provider.id, {
        create_status: 429,
        retry_after: 30,
      }, { priority: 100 });
      const id = jobId(
        await callFn(user, "POST", "/queue-job", { prompt: "busy", model_id: throttled.id }),
      );
      await dispatch();
      const [job] =
        await sql`select status, attempts, extract(epoch from next_attempt_at - now())::int as wait from public.jobs where id = ${id}`;
      assertEquals([job.status, job.attempts], ["queued", 0]);
      assertOk(job.wait >= 25 && job.wait <= 30, `waits for Retry-After: ${job.wait}`);

      const broken = await createSimModel(sql, provider.id, { create_status: 500 }, {
        priority: 100,
      });
      await sql`update public.api_models set is_active = false where id = ${throttled.id}`;
      const id2 = jobId(
        await callFn(user, "POST", "/queue-job", { prompt: "broken", model_id: broken.id }),
      );
      for (let round = 0; round < 5; round++) {
        await sql`update public.jobs set next_attempt_at = now() where id = ${id2} and status = 'queued'`;
        await dispatch();
      }
      const [failed] =
        await sql`select status, attempts, error_code from public.jobs where id = ${id2}`;
      assertEquals([failed.status, failed.attempts], ["failed", 3]);
      const refunds =
        await sql`select credits_consumed::int as c from public.usage_logs where job_id = ${id2} and kind = 'refund'`;
      assertEquals(refunds.map((r) => r.c), [-1]);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a job past its deadline is cancelled at the provider, failed and refunded", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 60_000 });
      const id = jobId(
        await callFn(user, "POST", "/queue-job", { prompt: "forever", model_id: model.id }),
      );
      const job = await waitForJob(sql, id, ["processing"]);
      await sql`update public.jobs set deadline_at = now() - interval '1 second' where id = ${id}`;
      // Whichever dispatch run gets there first (ours, or one still running in the background
      // from an earlier enqueue) expires it; the job's outcome is what matters.
      await dispatch();
      const [done] = await sql`select status, error_code from public.jobs where id = ${id}`;
      assertEquals([done.status, done.error_code], ["failed", "deadline_exceeded"]);
      const res = await fetch(
        `${Deno.env.get("REPLICATE_BASE_URL")}/predictions/${job.provider_prediction_id}`,
        {
          headers: { authorization: `Bearer ${Deno.env.get("REPLICATE_API_TOKEN")}` },
        },
      );
      assertEquals((await res.json()).status, "canceled", "the provider was told to stop");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 10);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
