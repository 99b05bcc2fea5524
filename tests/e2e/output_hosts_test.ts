/**
 * The output-host allowlist end to end: a signed Replicate webhook reports outputs on a real,
 * reachable server, once under a host name the provider does not allow and once under one it
 * does, so what keeps the first download from happening can only be the check.
 */
import { assertEquals } from "../support/assert.ts";
import {
  callFn,
  cleanup,
  createFundedUser,
  createSimModel,
  createSimProvider,
  waitForJob,
} from "../support/jobs.ts";
import { pngBytes } from "../../simulators/media/images.ts";
import { standardWebhookHeaders } from "../../simulators/standard_webhooks.ts";
import { stack, withDb } from "../support/stack.ts";

type Row = Record<string, unknown>;

/** Delivers a signed prediction update for `provider` and returns the webhook's answer. */
async function deliver(provider: string, prediction: Row): Promise<{ status: number; body: Row }> {
  const raw = JSON.stringify(prediction);
  const signed = await standardWebhookHeaders({
    secret: Deno.env.get("REPLICATE_WEBHOOK_SECRET")!,
    id: `msg_${crypto.randomUUID()}`,
    timestamp: Math.floor(Date.now() / 1000),
    body: raw,
  });
  const res = await fetch(
    `${stack.gatewayUrl}/functions/v1/provider-webhooks/replicate?provider=${provider}`,
    { method: "POST", headers: { "content-type": "application/json", ...signed }, body: raw },
  );
  return { status: res.status, body: await res.json() };
}

Deno.test("outputs on a host the provider does not allow are never fetched; the same server under an allowed name is", async () => {
  const png = await pngBytes(16, 12);
  const requests: string[] = [];
  // Listens on 127.0.0.1 only. `localhost` resolves to it, so both names reach this server, and
  // both are loopback names for which plain http passes the scheme rule: only the host list
  // tells them apart.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    requests.push(new URL(req.url).pathname);
    return new Response(png, { headers: { "content-type": "image/png" } });
  });
  const port = server.addr.port;
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 10);
    const provider = await createSimProvider(sql, { allowed_output_hosts: ["localhost"] });
    try {
      // The simulator holds the prediction and sends nothing: the test's deliveries are the only
      // ones the jobs get.
      const model = await createSimModel(sql, provider.id, {
        delay_ms: 60_000,
        webhook: { drop: ["start", "output", "logs", "completed"] },
      });
      const start = async (prompt: string) => {
        const created = await callFn(user, "POST", "/queue-job", { prompt, model_id: model.id });
        assertEquals(created.status, 202, JSON.stringify(created.body));
        return await waitForJob(sql, (created.body.job as Row).id as string, ["processing"]);
      };
      const blocked = await start("outputs on a foreign host");
      const allowed = await start("outputs on an allowed host");
      const balance = async () =>
        (await sql`select token_balance from public.profiles where id = ${user.id}`)[0]
          .token_balance;
      const charged = 10 - (blocked.cost_credits as number) - (allowed.cost_credits as number);
      assertEquals(await balance(), charged);

      const refused = await deliver(provider.name, {
        id: blocked.provider_prediction_id,
        status: "succeeded",
        output: [`http://127.0.0.1:${port}/blocked.png`],
      });
      assertEquals([refused.status, refused.body.status], [200, "failed"]);
      assertEquals(requests, [], "nothing reached the server");
      const [failed] = await sql`select status, error_code from public.jobs where id = ${blocked
        .id as string}`;
      assertEquals([failed.status, failed.error_code], ["failed", "no_outputs"]);
      assertEquals(
        (await sql`select 1 from public.workspace_assets where job_id = ${blocked.id as string}`)
          .length,
        0,
      );
      const objects = (jobId: unknown) =>
        sql`select name from storage.objects where name like ${`${user.id}/${jobId}/%`}`;
      assertEquals((await objects(blocked.id)).length, 0);
      const refunds = await sql`select credits_consumed::int as credits from public.usage_logs
        where job_id = ${blocked.id as string} and kind = 'refund'`;
      assertEquals(refunds.map((r) => r.credits), [-(blocked.cost_credits as number)]);
      assertEquals(await balance(), charged + (blocked.cost_credits as number), "refunded in full");

      // The control: the same server, named as the provider allows, is fetched and stored.
      const stored = await deliver(provider.name, {
        id: allowed.provider_prediction_id,
        status: "succeeded",
        output: [`http://localhost:${port}/allowed.png`],
      });
      assertEquals([stored.status, stored.body.status], [200, "completed"]);
      assertEquals(requests, ["/allowed.png"]);
      const assets = await sql`select mime_type, file_size_bytes::int as size, width, height,
          temp_storage_path from public.workspace_assets where job_id = ${allowed.id as string}`;
      assertEquals(assets.map((a) => ({ ...a })), [{
        mime_type: "image/png",
        size: png.byteLength,
        width: 16,
        height: 12,
        temp_storage_path: `${user.id}/${allowed.id}/0.png`,
      }]);
      assertEquals((await objects(allowed.id)).map((o) => o.name), [
        `${user.id}/${allowed.id}/0.png`,
      ]);
      assertEquals(await balance(), charged + (blocked.cost_credits as number));
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  }).finally(() => server.shutdown());
});
