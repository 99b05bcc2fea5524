/**
 * queue-job under concurrency and across users: the profile row lock that serialises a user's
 * enqueues, one job per Idempotency-Key however many requests race, the cap held under a burst,
 * other users' active jobs. Cancels and refunds: queue_job_cancel_test.ts.
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
import { createTestUser, withDb } from "../support/stack.ts";

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
