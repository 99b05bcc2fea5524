import { assertEquals, assertOk, assertRejects } from "../support/assert.ts";
import { chatFor } from "../../shared/providers/adapters.ts";
import { createOpenRouterVideoClient } from "../../shared/providers/adapters/openrouter_video.ts";
import {
  type ProviderEndpoint,
  providerEndpoint,
  type ProviderRow,
} from "../../shared/providers/provider_config.ts";
import { ProviderError } from "../../shared/providers/provider_error.ts";
import { createReplicateClient } from "../../shared/providers/adapters/replicate.ts";
import { asService } from "../../shared/db/scopes.ts";
import { insertCall, recordActualCost } from "../../shared/db/tables/api_usage_logs.ts";
import { simVersion } from "../support/jobs.ts";
import { createTestProvider, deleteTestProviders } from "../support/providers.ts";
import { withDb } from "../support/stack.ts";

function endpoint(adapter: ProviderRow["adapter"], name: string): ProviderEndpoint {
  const row: ProviderRow = {
    id: crypto.randomUUID(),
    name,
    adapter,
    base_url: "https://unused.example/v1",
    auth_scheme: "bearer",
    auth_header_name: "Authorization",
    secret_name: `${name.toUpperCase()}_${adapter === "replicate" ? "API_TOKEN" : "API_KEY"}`,
    webhook_secret_name: null,
    rate_limits: {},
    allowed_output_hosts: [],
    is_active: true,
    updated_at: new Date().toISOString(),
  };
  const env = (k: string) => Deno.env.get(k);
  const ep = providerEndpoint(row, env, env);
  if ("missingSecret" in ep) throw new Error(`run with npm test (${ep.missingSecret} unset)`);
  return ep;
}

async function submissions(
  kind: "REPLICATE" | "OPENROUTER",
): Promise<{ input?: { prompt?: string } }[]> {
  const res = await fetch(`${Deno.env.get(`SIM_CONTROL_URL_${kind}`)}/submissions`);
  const body = await res.json();
  return Array.isArray(body) ? body : body.submissions;
}

Deno.test("Replicate adapter: create by version and by model, get, cancel, every output kept", async () => {
  const replicate = createReplicateClient(endpoint("replicate", "replicate"));
  const byVersion = await replicate.create({
    model: {
      model_key: "o/m",
      version: simVersion({ delay_ms: 20, outputs: 2, output_shape: "object" }),
    },
    input: { prompt: "v" },
  });
  assertEquals(byVersion.status, "starting");
  const byModel = await replicate.create({
    model: { model_key: "owner/official-model", version: null },
    input: { prompt: 'm [[sim:{"delay_ms":20}]]' },
  });
  assertOk(byModel.id);
  await new Promise((r) => setTimeout(r, 300));
  const done = await replicate.get(byVersion.id);
  assertEquals(done.status, "succeeded");
  assertEquals(done.outputs.length, 2, "object-shaped output normalised, both kept");
  const slow = await replicate.create({
    model: { model_key: "o/m", version: simVersion({ delay_ms: 60_000 }) },
    input: { prompt: "slow" },
  });
  assertEquals((await replicate.cancel(slow.id)).status, "canceled");
});

Deno.test("Replicate adapter: 429 surfaces once with Retry-After (no hidden SDK retries), 5xx and hangs are classified", async () => {
  const replicate = createReplicateClient(endpoint("replicate", "replicate"), { timeoutMs: 500 });
  const marker = `throttle-${crypto.randomUUID()}`;
  const throttled = await assertRejects(
    () =>
      replicate.create({
        model: { model_key: "o/m", version: simVersion({ create_status: 429, retry_after: 7 }) },
        input: { prompt: marker },
      }),
    ProviderError,
  ) as ProviderError;
  assertEquals([throttled.failure, throttled.status, throttled.retryAfter, throttled.retryable], [
    "rate_limited",
    429,
    7,
    true,
  ]);
  const tries = (await submissions("REPLICATE")).filter((s) => s.input?.prompt === marker);
  assertOk(
    tries.length <= 1,
    `the SDK did not retry behind our back (${tries.length} submissions)`,
  );
  const down = await assertRejects(
    () =>
      replicate.create({
        model: { model_key: "o/m", version: simVersion({ create_status: 502 }) },
        input: { prompt: "x" },
      }),
    ProviderError,
  ) as ProviderError;
  assertEquals([down.failure, down.status], ["server_error", 502]);
  const hung = await assertRejects(
    () =>
      replicate.create({
        model: { model_key: "o/m", version: simVersion({ hang: true }) },
        input: { prompt: "x" },
      }),
    ProviderError,
  ) as ProviderError;
  assertEquals([hung.failure, hung.retryable], ["timeout", true]);
  const bad = await assertRejects(
    () => replicate.get("does-not-exist"),
    ProviderError,
  ) as ProviderError;
  assertEquals([bad.failure, bad.retryable], ["rejected", false]);
});

Deno.test("chat client: completion with usage and cost, streaming with comments, mid-stream error, fallbacks", async () => {
  const chat = chatFor(endpoint("openrouter", "openrouter"), { appTitle: "tests" });
  const done = await chat.complete({
    model: "sim/chat",
    messages: [{ role: "user", content: "hello there" }],
  });
  assertOk(done.text.includes("hello there"), done.text);
  assertOk(
    done.usage && done.usage.totalTokens > 0 && typeof done.usage.cost === "number",
    JSON.stringify(done.usage),
  );
  const events = [];
  for await (
    const e of chat.stream({
      model: "sim/chat",
      messages: [{ role: "user", content: 'stream this please [[sim:{"processing_comments":3}]]' }],
    })
  ) events.push(e);
  const last = events.at(-1)!;
  assertEquals(last.type, "done");
  const text = events.filter((e) => e.type === "delta").map((e) => (e as { text: string }).text)
    .join("");
  assertEquals(text, last.type === "done" ? last.result.text : "");
  assertOk(
    last.type === "done" && last.result.usage?.cost !== undefined,
    "cost from the final chunk",
  );
  const broken = [];
  for await (
    const e of chat.stream({
      model: "sim/chat",
      messages: [{
        role: "user",
        content: 'one two three four five [[sim:{"stream_error_after":2}]]',
      }],
    })
  ) broken.push(e);
  const end = broken.at(-1)!;
  assertEquals(end.type, "error");
  assertOk(end.type === "error" && end.partial.text.length > 0, "the partial text is kept");
  const fell = await chat.complete({
    model: "sim/first",
    fallbackModels: ["sim/second"],
    messages: [{ role: "user", content: 'x [[sim:{"fallback_fail":["sim/first"]}]]' }],
  });
  assertEquals(fell.model, "sim/second");
  const limited = await assertRejects(
    () =>
      chat.complete({
        model: "sim/chat",
        messages: [{ role: "user", content: '[[sim:{"create_status":429,"retry_after":3}]]' }],
      }),
    ProviderError,
  ) as ProviderError;
  assertEquals([limited.failure, limited.retryAfter], ["rate_limited", 3]);
});

Deno.test("chat client works against an OpenAI-compatible provider row (no OpenRouter headers or fallbacks)", async () => {
  const chat = chatFor(endpoint("openai_compatible", "openai"));
  const done = await chat.complete({
    model: "gpt-sim",
    fallbackModels: ["ignored"],
    messages: [{ role: "user", content: "plain" }],
  });
  assertOk(done.text.includes("plain"), done.text);
  assertEquals(done.model, "gpt-sim");
});

Deno.test("OpenRouter video adapter: create, poll, download real MP4 bytes", async () => {
  const video = createOpenRouterVideoClient(endpoint("openrouter", "openrouter"));
  const job = await video.create({
    model: "sim/video",
    input: { prompt: 'a wave [[sim:{"delay_ms":20}]]', duration: 2 },
  });
  let state = job;
  for (let i = 0; i < 50 && !["completed", "failed"].includes(state.status); i++) {
    await new Promise((r) => setTimeout(r, 50));
    state = await video.get(job.id);
  }
  assertEquals(state.status, "completed");
  const res = await video.download(job.id, 0);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assertEquals(new TextDecoder().decode(bytes.slice(4, 8)), "ftyp");
});

Deno.test("cost tracking: one api_usage_logs row per call, actual cost filled in later", async () => {
  await withDb(async (sql) => {
    const provider = await createTestProvider(sql);
    try {
      const requestId = `gen-${crypto.randomUUID()}`;
      await asService(sql, (tx) =>
        insertCall(tx, {
          providerId: provider.id,
          requestType: "chat",
          providerRequestId: requestId,
          responseStatus: 200,
          latencyMs: 12.6,
          tokensInput: 10,
          tokensOutput: 5,
          costUsdEstimated: 0.001,
        }));
      assertEquals(
        (await asService(
          sql,
          (tx) => recordActualCost(tx, crypto.randomUUID(), requestId, { costUsd: 99 }),
        )).length,
        0,
        "another provider's report never touches this provider's row",
      );
      assertEquals(
        (await asService(sql, (tx) =>
          recordActualCost(tx, provider.id, requestId, {
            costUsd: 0.0012,
            metadata: { source: "test" },
          }))).length,
        1,
      );
      const [row] =
        await sql`select response_time_ms, tokens_total, cost_usd_estimated::float as est, cost_usd_actual::float as act, provider_metadata
        from public.api_usage_logs where provider_request_id = ${requestId}`;
      assertEquals([
        row.response_time_ms,
        row.tokens_total,
        row.est,
        row.act,
        row.provider_metadata,
      ], [13, 15, 0.001, 0.0012, { source: "test" }]);
    } finally {
      await deleteTestProviders(sql, provider);
    }
  });
});
