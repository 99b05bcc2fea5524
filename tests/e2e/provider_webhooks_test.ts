import { assertEquals } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { standardWebhookHeaders } from "../../simulators/standard_webhooks.ts";
import { stack, withDb } from "../support/stack.ts";

const secret = () => Deno.env.get("REPLICATE_WEBHOOK_SECRET")!;

async function deliver(
  body: unknown,
  opts: { id?: string; timestamp?: number; secret?: string; provider?: string } = {},
) {
  const raw = JSON.stringify(body);
  const id = opts.id ?? `msg_${crypto.randomUUID()}`;
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = await standardWebhookHeaders({
    secret: opts.secret ?? secret(),
    id,
    timestamp: ts,
    body: raw,
  });
  const res = await fetch(
    `${stack.gatewayUrl}/functions/v1/provider-webhooks/replicate?provider=${opts.provider ?? ""}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", ...signed },
      body: raw,
    },
  );
  return { status: res.status, body: await res.json(), id };
}

Deno.test("provider-webhooks: signatures, unknown predictions, foreign output hosts, duplicates and late events", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql);
    try {
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 60_000,
        webhook: { drop: ["start", "output", "logs", "completed"] }, // every delivery the test sees is its own
      });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: "held",
        model_id: model.id,
        num_images: 2,
      });
      const job = await waitForJob(
        sql,
        (created.body.job as Record<string, unknown>).id as string,
        ["processing"],
      );
      const prediction = {
        id: job.provider_prediction_id,
        status: "succeeded",
        output: ["https://evil.example/steal.png"],
      };
      const events = () =>
        sql`select count(*)::int as n from public.webhook_events where job_id = ${job
          .id as string}`;

      const forged = await deliver(prediction, {
        secret: "whsec_" + btoa("not the secret at all, really"),
        provider: provider.name,
      });
      assertEquals(forged.status, 401);
      assertEquals(forged.body.error.code, "UNAUTHORIZED");
      const stale = await deliver(prediction, {
        timestamp: Math.floor(Date.now() / 1000) - 600,
        provider: provider.name,
      });
      assertEquals(stale.status, 401);
      const unsigned = await fetch(
        `${stack.gatewayUrl}/functions/v1/provider-webhooks/replicate?provider=${provider.name}`,
        {
          method: "POST",
          body: JSON.stringify(prediction),
        },
      );
      assertEquals(unsigned.status, 401);
      await unsigned.body?.cancel();
      assertEquals((await events())[0].n, 0, "refused deliveries write nothing");

      const unknown = await deliver({ ...prediction, id: "no-such-prediction" }, {
        provider: provider.name,
      });
      assertEquals([unknown.status, unknown.body.status], [200, "ignored"]);
      const [{ n: unknownRows }] =
        await sql`select count(*)::int as n from public.webhook_events where delivery_id = ${unknown.id}`;
      assertEquals(unknownRows, 0, "an unknown prediction is acknowledged with nothing written");

      // Signed, but the outputs sit on a host the provider row does not allow: nothing is fetched.
      const foreign = await deliver(prediction, { provider: provider.name });
      assertEquals(foreign.status, 200);
      const [after] = await sql`select status, error_code from public.jobs where id = ${job
        .id as string}`;
      assertEquals([after.status, after.error_code], ["failed", "no_outputs"]);
      const [{ balance }] =
        await sql`select token_balance as balance from public.profiles where id = ${user.id}`;
      assertEquals(balance, 10, "refunded in full");

      const again = await deliver(prediction, { id: foreign.id, provider: provider.name });
      assertEquals([again.status, again.body.status], [200, "duplicate"]);
      const late = await deliver({ ...prediction, status: "processing", output: null }, {
        provider: provider.name,
      });
      assertEquals(late.status, 200);
      const [final] = await sql`select status from public.jobs where id = ${job.id as string}`;
      assertEquals(final.status, "failed", "a late processing event never moves a terminal job");
      assertEquals(
        (await sql`select 1 from public.usage_logs where job_id = ${job
          .id as string} and kind = 'refund'`).length,
        1,
      );
      const assets = await sql`select 1 from public.workspace_assets where job_id = ${job
        .id as string}`;
      assertEquals(assets.length, 0);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
