/**
 * queue-job under concurrency and across users: the profile row lock that serialises a user's
 * enqueues, one job per Idempotency-Key however many requests race, the cap held under a burst,
 * cancels that race the provider's own callback, other users' active jobs, refunds exactly once.
 */
import { assertEquals } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  jobOf,
  waitForJob,
} from "../support/jobs.ts";
import { standardWebhookHeaders } from "../../simulators/standard_webhooks.ts";
import { createTestUser, stack, withDb } from "../support/stack.ts";

Deno.test("enqueue_job holds the user's profile row: a second enqueue waits for the first to commit", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const holder = await sql.reserve();
    const other = await sql.reserve();
    try {
      await holder`begin`;
      const [first] = await holder`select outcome from public.enqueue_job(${user.id}::uuid,
        ${holder.json({ modality: "image", prompt: "first" })}, 5)`;
      assertEquals(first.outcome, "created");
      // This one cannot be afforded once the first commits: a version without the row lock
      // would read the old balance, answer insufficient_credits at once and not wait.
      await other`begin`;
      await other`set local lock_timeout = '300ms'`;
      let code: string | undefined;
      try {
        await other`select outcome from public.enqueue_job(${user.id}::uuid,
          ${other.json({ modality: "image", prompt: "second" })}, 20)`;
      } catch (err) {
        code = (err as { code?: string }).code;
      }
      assertEquals(code, "55P03", "the second enqueue waited on the profile lock");
      await other`rollback`;
      await holder`commit`;
    } finally {
      await holder`rollback`.catch(() => {});
      holder.release();
      other.release();
    }
    try {
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 5);
    } finally {
      await cleanup(sql, [user], []);
    }
  });
});

Deno.test("parallel requests with one Idempotency-Key make one job; the rest replay it", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      const key = crypto.randomUUID();
      const answers = await Promise.all(
        Array.from(
          { length: 12 },
          () =>
            callFn(user, "POST", "/queue-job", { prompt: "once", model_id: model.id }, {
              "idempotency-key": key,
            }),
        ),
      );
      assertEquals(answers.map((a) => a.status), Array(12).fill(202), JSON.stringify(answers));
      assertEquals(new Set(answers.map((a) => jobOf(a).id)).size, 1, "one job id for all");
      const [{ jobs, charges }] = await sql`select
        (select count(*)::int from public.jobs where user_id = ${user.id}) as jobs,
        (select count(*)::int from public.usage_logs where user_id = ${user.id} and kind = 'charge') as charges`;
      assertEquals([jobs, charges], [1, 1]);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a burst of parallel requests never passes the per-user cap", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 500);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 5000 });
      const [{ cap }] =
        await sql`select (config->>'max_active_jobs_per_user')::int as cap from public.system_config where id = 1`;
      const answers = await Promise.all(
        Array.from(
          { length: cap + 8 },
          (_, i) => callFn(user, "POST", "/queue-job", { prompt: `b${i}`, model_id: model.id }),
        ),
      );
      assertEquals(answers.filter((a) => a.status === 202).length, cap);
      assertEquals(answers.filter((a) => a.status === 429).length, 8);
      const [{ active }] = await sql`select count(*)::int as active from public.jobs
        where user_id = ${user.id} and status in ('queued', 'processing')`;
      assertEquals(active, cap);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("concurrent cancels of a running job: the one that cancels answers 200, never 409 for its own provider callback; refunded once", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 20);
    const provider = await createSimProvider(sql);
    try {
      // The simulator calls back `canceled` as soon as it is asked to cancel.
      const model = await createSimModel(sql, provider.id, { delay_ms: 60_000 });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "stop",
        model_id: model.id,
      });
      const id = jobOf(created).id as string;
      await waitForJob(sql, id, ["processing"]);
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => callFn(user, "POST", `/queue-job/jobs/${id}/cancel`)),
      );
      // The one that cancelled answers 200 with the refund; one that raced it inside the
      // transition answers 200 too; one that arrived once the job had ended is a 409.
      const ok = answers.filter((a) => a.status === 200);
      assertEquals(ok.map((a) => Number(a.body.refunded)).filter((r) => r > 0), [1]);
      assertEquals(
        answers.every((a) =>
          a.status === 200 || (a.status === 409 && /already cancelled/.test(JSON.stringify(a.body)))
        ),
        true,
        JSON.stringify(answers),
      );
      const [job] = await sql`select status, error_code from public.jobs where id = ${id}`;
      assertEquals([job.status, job.error_code], ["cancelled", "cancelled_by_user"]);
      const refunds =
        await sql`select 1 from public.usage_logs where job_id = ${id} and kind = 'refund'`;
      assertEquals(refunds.length, 1);
      const later = await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`);
      assertEquals(later.status, 409, "a cancel after the job ended is a conflict");
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("another user's active job: not found, untouched, no refund; an admin sees only their own jobs", async () => {
  await withDb(async (sql) => {
    const alice = await createFundedUser(sql, 10);
    const bob = await createTestUser(sql);
    const admin = await createTestUser(sql, { admin: true });
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, { delay_ms: 60_000 });
      const created = await callFn(alice, "POST", "/queue-job", {
        prompt: "mine",
        model_id: model.id,
      });
      const id = jobOf(created).id as string;
      await waitForJob(sql, id, ["processing"]);
      for (const intruder of [bob, admin]) {
        const cancel = await callFn(intruder, "POST", `/queue-job/jobs/${id}/cancel`);
        assertEquals(cancel.status, 404, JSON.stringify(cancel.body));
        const read = await callFn(intruder, "GET", `/queue-job/jobs/${id}`);
        assertEquals(read.status, 404);
      }
      const [job] = await sql`select status from public.jobs where id = ${id}`;
      assertEquals(job.status, "processing", "untouched");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${alice.id}`;
      assertEquals(balance, 9, "still charged, not refunded");
      const list = await callFn(admin, "GET", "/queue-job/jobs?limit=100");
      assertEquals(list.status, 200);
      assertEquals(list.body.jobs, [], "an admin's own list holds only the admin's jobs");
    } finally {
      await cleanup(sql, [alice, bob, admin], [provider]);
    }
  });
});

Deno.test("a job is refunded once however many ways it ends: cancel, then failure callbacks", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 60_000,
        webhook: { drop: ["start", "output", "logs", "completed"] },
      });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "twice",
        model_id: model.id,
        num_images: 2,
      });
      const id = jobOf(created).id as string;
      const job = await waitForJob(sql, id, ["processing"]);
      const cancelled = await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`);
      assertEquals([cancelled.status, cancelled.body.refunded], [200, 2]);
      for (const status of ["failed", "canceled"]) {
        const body = JSON.stringify({ id: job.provider_prediction_id, status, error: "late" });
        const headers = await standardWebhookHeaders({
          secret: Deno.env.get("REPLICATE_WEBHOOK_SECRET")!,
          id: `msg_${crypto.randomUUID()}`,
          timestamp: Math.floor(Date.now() / 1000),
          body,
        });
        const res = await fetch(
          `${stack.gatewayUrl}/functions/v1/provider-webhooks/replicate?provider=${provider.name}`,
          { method: "POST", headers: { "content-type": "application/json", ...headers }, body },
        );
        assertEquals([res.status, (await res.json()).status], [200, "ignored"]);
      }
      const refunds = await sql`select credits_consumed::int as c from public.usage_logs
        where job_id = ${id} and kind = 'refund'`;
      assertEquals(refunds.map((r) => r.c), [-2], "one refund row");
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 10);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});

Deno.test("a job whose outputs are being stored cannot be cancelled and refunded under them", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 60_000,
        webhook: { drop: ["start", "output", "logs", "completed"] },
      });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "kept",
        model_id: model.id,
      });
      const id = jobOf(created).id as string;
      await waitForJob(sql, id, ["processing"]);
      // A success delivery claimed and its outputs on their way to the user's folder: the claim
      // row exactly as claim_webhook_delivery leaves it until the job completes.
      const hash = "0".repeat(64);
      await sql`insert into public.webhook_events (provider, delivery_id, payload_hash, event_type, job_id)
        values (${provider.name}, ${`msg_${id}`}, ${hash}, 'completed', ${id})`;
      const refused = await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`);
      assertEquals(refused.status, 409, JSON.stringify(refused.body));
      assertEquals(
        (refused.body.error as { message: string }).message,
        "The job is finishing: its outputs are being stored",
      );
      const [still] = await sql`select status from public.jobs where id = ${id}`;
      assertEquals(still.status, "processing");
      // Still held after the two minutes a redelivery waits (outputs may still be arriving)...
      await sql`update public.webhook_events set received_at = now() - interval '3 minutes'
        where job_id = ${id}`;
      assertEquals((await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`)).status, 409);
      // ...but a claim its process abandoned long ago no longer holds the job.
      await sql`update public.webhook_events set received_at = now() - interval '11 minutes'
        where job_id = ${id}`;
      const cancelled = await callFn(user, "POST", `/queue-job/jobs/${id}/cancel`);
      assertEquals([cancelled.status, cancelled.body.refunded], [200, 1]);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
