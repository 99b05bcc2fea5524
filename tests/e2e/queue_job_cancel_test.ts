/**
 * Cancelling a job: concurrent cancels racing the provider's own callback, refunds exactly once
 * however many ways a job ends, and no cancel (with its refund) while a delivery is storing the
 * job's outputs in the user's folder.
 */
import { assertEquals } from "../support/assert.ts";
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
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
import { stack, type TestUser, withDb } from "../support/stack.ts";

/**
 * A running job on a fresh model whose provider never calls back on its own (the test sends what
 * the provider would); `fn` gets its id and row.
 */
async function withSilentJob(
  fn: (
    sql: Sql,
    user: TestUser,
    provider: ProviderRow,
    job: Record<string, unknown>,
  ) => Promise<void>,
  body: Record<string, unknown>,
) {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 60_000,
        webhook: { drop: ["start", "output", "logs", "completed"] },
      });
      const created = await callFn(user, "POST", "/queue-job", { ...body, model_id: model.id });
      const job = await waitForJob(sql, jobOf(created).id as string, ["processing"]);
      await fn(sql, user, provider, job);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
}

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

Deno.test("a job is refunded once however many ways it ends: cancel, then failure callbacks", async () => {
  await withSilentJob(async (sql, user, provider, job) => {
    const id = job.id as string;
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
  }, { prompt: "twice", num_images: 2 });
});

Deno.test("a job whose outputs are being stored cannot be cancelled and refunded under them", async () => {
  await withSilentJob(async (sql, user, provider, job) => {
    const id = job.id as string;
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
  }, { prompt: "kept" });
});
