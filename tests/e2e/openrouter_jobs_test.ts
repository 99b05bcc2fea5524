import { assertEquals, assertOk } from "../support/assert.ts";
import { callFn, cleanup, createFundedUser, waitForJob } from "../support/jobs.ts";
import { createTestModel, createTestProvider, videoCapabilities } from "../support/providers.ts";
import { stack, withDb } from "../support/stack.ts";

const env = (k: string) => Deno.env.get(k)!;

Deno.test("an OpenRouter video job completes through its signed callback, and Broadcast fills in the cost", async () => {
  await withDb(async (sql) => {
    const user = await createFundedUser(sql, 50);
    const provider = await createTestProvider(sql, {
      adapter: "openrouter",
      base_url: env("OPENROUTER_BASE_URL"),
      secret_name: "OPENROUTER_API_KEY",
      webhook_secret_name: "OPENROUTER_WEBHOOK_SECRET",
      allowed_output_hosts: env("SIM_OUTPUT_HOSTS").split(","),
    });
    try {
      const model = await createTestModel(sql, provider.id, {
        modality: "video",
        model_key: "sim/video-model",
        capabilities: videoCapabilities(),
      });
      const created = await callFn(user, "POST", "/queue-job", {
        prompt: 'a wave [[sim:{"delay_ms":30,"duration":5,"cost":0.42}]]',
        modality: "video",
        model_id: model.id,
      });
      assertEquals(created.status, 202, JSON.stringify(created.body));
      const done = await waitForJob(
        sql,
        (created.body.job as Record<string, unknown>).id as string,
      );
      assertEquals(done.status, "completed", JSON.stringify(done));
      const [asset] =
        await sql`select mime_type, duration_seconds::float as d from public.workspace_assets where job_id = ${done
          .id as string}`;
      assertEquals([asset.mime_type, asset.d], ["video/mp4", 5]);
      const [{ events }] =
        await sql`select count(*)::int as events from public.webhook_events where job_id = ${done
          .id as string} and provider = ${provider.name}`;
      assertOk(events >= 1, "the signed callback was recorded");
      const [call] =
        await sql`select cost_usd_actual::float as cost from public.api_usage_logs where job_id = ${done
          .id as string}`;
      assertEquals(call.cost, 0.42, "the callback's usage cost is the actual cost");

      // A Broadcast trace for the same generation (static secret header) updates the cost.
      const trace = {
        resourceSpans: [{
          scopeSpans: [{
            spans: [{
              attributes: [
                { key: "gen_ai.response.id", value: { stringValue: done.provider_prediction_id } },
                { key: "gen_ai.usage.cost", value: { doubleValue: 0.5 } },
              ],
            }],
          }],
        }],
      };
      const post = (secret: string) =>
        fetch(`${stack.gatewayUrl}/functions/v1/provider-webhooks/openrouter/broadcast`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-broadcast-secret": secret },
          body: JSON.stringify(trace),
        });
      const refused = await post("wrong-secret");
      assertEquals(refused.status, 401);
      await refused.body?.cancel();
      const accepted = await post(env("OPENROUTER_BROADCAST_SECRET"));
      assertEquals([accepted.status, (await accepted.json()).status], [200, "recorded"]);
      const [after] =
        await sql`select cost_usd_actual::float as cost from public.api_usage_logs where job_id = ${done
          .id as string}`;
      assertEquals(after.cost, 0.5);
    } finally {
      await cleanup(sql, [user], [provider]);
    }
  });
});
