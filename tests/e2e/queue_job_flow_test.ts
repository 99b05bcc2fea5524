import { assertEquals, assertOk } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  createSimVideoModel,
  waitForJob,
} from "../support/jobs.ts";
import { withDb } from "../support/stack.ts";

const PNG = [0x89, 0x50, 0x4e, 0x47];

Deno.test("POST /queue-job → provider → signed webhook → outputs in storage → completed, charged once", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 50);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { outputs: 3 });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "a lighthouse at dusk",
        model_id: model.id,
        num_images: 3,
        aspect_ratio: "16:9",
      });
      assertEquals(created.status, 202, JSON.stringify(created.body));
      const job = created.body.job as Record<string, unknown>;
      assertEquals(job.status, "queued");
      assertEquals(job.cost_credits, 3);
      assertEquals(job.model, { id: model.id, key: model.model_key });
      assertEquals(created.body.balance, 47);

      const done = await waitForJob(sql, job.id as string);
      assertEquals(done.status, "completed", JSON.stringify(done));
      const read = await callFn(user, "GET", `/queue-job/jobs/${job.id}`);
      assertEquals(read.status, 200);
      const assets = read.body.assets as Record<string, unknown>[];
      assertEquals(assets.length, 3, "every output is kept");
      for (const [i, a] of assets.entries()) {
        assertEquals(a.index, i);
        assertEquals(a.bucket, "workspace-temp");
        assertEquals(a.path, `${user.id}/${job.id}/${i}.png`);
        assertEquals(a.mime_type, "image/png");
        assertEquals([a.width, a.height], [1344, 768]);
        assertEquals(typeof a.seed, "number", "the server-chosen seed is recorded");
        const bytes = new Uint8Array(await (await fetch(a.preview_url as string)).arrayBuffer());
        assertEquals([...bytes.slice(0, 4)], PNG, "the stored object is the PNG");
        assertEquals(bytes.length, a.size_bytes);
      }
      const ledger =
        await sql`select kind, credits_consumed::int as c from public.usage_logs where job_id = ${job
          .id as string} order by kind`;
      assertEquals(ledger.map((r) => `${r.kind}:${r.c}`), ["charge:3"]);
      const calls =
        await sql`select response_status, provider_request_id from public.api_usage_logs where job_id = ${job
          .id as string}`;
      assertEquals(calls.length, 1, "one provider call logged");
      assertOk(calls[0].provider_request_id);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a video job stores an MP4 with its duration and dimensions", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 50);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimVideoModel(sql, provider.id, { width: 1280, height: 720 });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "waves",
        modality: "video",
        model_id: model.id,
        duration_seconds: 5,
      });
      assertEquals(created.status, 202, JSON.stringify(created.body));
      assertEquals(
        (created.body.job as Record<string, unknown>).cost_credits,
        10,
        "2 credits per second × 5 s",
      );
      const done = await waitForJob(
        sql,
        (created.body.job as Record<string, unknown>).id as string,
      );
      assertEquals(done.status, "completed", JSON.stringify(done));
      const [asset] =
        await sql`select mime_type, duration_seconds::float as d, width, height, temp_storage_path from public.workspace_assets where job_id = ${done
          .id as string}`;
      assertEquals(asset.mime_type, "video/mp4");
      assertEquals(asset.d, 5);
      assertEquals([asset.width, asset.height], [1280, 720]);
      assertEquals(asset.temp_storage_path.endsWith("/0.mp4"), true);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a failed prediction fails the job and refunds it exactly once", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 20);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        outcome: "failed",
        error: "NSFW content detected",
        webhook: { duplicate: 1 },
      });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "x",
        model_id: model.id,
        num_images: 2,
      });
      assertEquals(created.status, 202);
      const done = await waitForJob(
        sql,
        (created.body.job as Record<string, unknown>).id as string,
      );
      assertEquals(done.status, "failed");
      assertEquals(done.error_message, "NSFW content detected");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 20, "charged 2, refunded 2");
      const refunds = await sql`select 1 from public.usage_logs where job_id = ${done
        .id as string} and kind = 'refund'`;
      assertEquals(refunds.length, 1);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a user cancels a running job: provider cancel, refund, and 409 on a second cancel", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 20);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "slow",
        model_id: model.id,
      });
      const id = (created.body.job as Record<string, unknown>).id as string;
      await waitForJob(sql, id, ["processing"]);
      const cancelled = await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`);
      assertEquals(cancelled.status, 200, JSON.stringify(cancelled.body));
      assertEquals((cancelled.body.job as Record<string, unknown>).status, "cancelled");
      assertEquals(cancelled.body.refunded, 1);
      const again = await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`);
      assertEquals(again.status, 409);
      assertEquals((again.body.error as Record<string, unknown>).code, "CONFLICT");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 20);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
