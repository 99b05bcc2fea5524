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
import { stack, withDb } from "../support/stack.ts";

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
      assertEquals((await dispatch()).claimed >= 0, true);
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
      const counts = await dispatch();
      assertOk(counts.expired >= 1, JSON.stringify(counts));
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

Deno.test("library destination and partial outputs: rows in user_library, missing outputs refunded", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { outputs: 1 });
      const id = jobId(
        await callFn(user, "POST", "/queue-job", {
          prompt: "one of three",
          model_id: model.id,
          num_images: 3,
          destination: "library",
        }),
      );
      const done = await waitForJob(sql, id);
      assertEquals(done.status, "completed");
      const rows =
        await sql`select storage_path, asset_index from public.user_library where source_job_id = ${id}`;
      assertEquals(rows.map((r) => r.storage_path), [`${user.id}/${id}/0.png`]);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where job_id = ${id}`).length,
        0,
      );
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 9, "charged 3, refunded the 2 missing outputs");
      const read = await callFn(user, "GET", `/queue-job/jobs/${id}`);
      const [asset] = read.body.assets as Row[];
      assertEquals(asset.bucket, "user-library");
      const bytes = await (await fetch(asset.preview_url as string)).arrayBuffer();
      assertOk(bytes.byteLength > 0);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("200 jobs with 30% duplicated and 20% reordered webhooks all end right, balances exact", async () => {
  await withDb(async (sql) => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createFundedUser(sql, 10)));
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 20,
        webhook: { duplicate: 0.3, reorder: 0.2 },
      });
      const expected = new Map<string, string>();
      await Promise.all(users.map(async (user, u) => {
        for (let i = 0; i < 10; i++) {
          const fail = (u * 10 + i) % 4 === 0;
          const prompt = fail
            ? `job ${u}-${i} [[sim:{"outcome":"failed","error":"boom"}]]`
            : `job ${u}-${i}`;
          const res = await callFn(user, "POST", "/queue-job", { prompt, model_id: model.id });
          assertEquals(res.status, 202, JSON.stringify(res.body));
          expected.set(jobId(res), fail ? "failed" : "completed");
        }
      }));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const [{ open }] =
          await sql`select count(*)::int as open from public.jobs where id = any(${[
            ...expected.keys(),
          ]}::uuid[])
          and status in ('queued', 'processing')`;
        if (open === 0) break;
        await dispatch({ limit: 100, webhook_overdue_seconds: 5 });
        await new Promise((r) => setTimeout(r, 200));
      }
      const rows = await sql`select id, status from public.jobs where id = any(${[
        ...expected.keys(),
      ]}::uuid[])`;
      const wrong = rows.filter((r) => expected.get(r.id) !== r.status);
      assertEquals(wrong.length, 0, JSON.stringify(wrong.slice(0, 5)));
      const balances = await sql`select p.id, p.token_balance as b,
          (select count(*)::int from public.jobs j where j.user_id = p.id and j.status = 'failed') as failed
        from public.profiles p where p.id = any(${users.map((u) => u.id)}::uuid[])`;
      for (const b of balances) {
        assertEquals(b.b, b.failed, "each user keeps exactly the credits of their failed jobs");
      }
      const [{ dupAssets }] =
        await sql`select count(*)::int as "dupAssets" from (select job_id from public.workspace_assets
        where job_id = any(${[...expected.keys()]}::uuid[]) group by job_id having count(*) > 1) d`;
      assertEquals(dupAssets, 0);
      const [{ refunds }] =
        await sql`select count(*)::int as refunds from public.usage_logs where kind = 'refund' and job_id = any(${[
          ...expected.keys(),
        ]}::uuid[])`;
      assertEquals(refunds, [...expected.values()].filter((s) => s === "failed").length);
      assertOk(stack.gatewayUrl.length > 0);
    } finally {
      await cleanup(sql, users, [provider]);
    }
  });
});
