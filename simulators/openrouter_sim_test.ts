import { createHmac } from "node:crypto";
import OpenAI from "openai";
import { assertEquals, assertMatch, assertOk, assertRejects } from "../tests/support/assert.ts";
import { startOpenRouterSim } from "./openrouter_sim.ts";
import { startWebhookReceiver } from "./webhook_receiver.ts";

type Sim = ReturnType<typeof startOpenRouterSim>;

async function withSim(
  fn: (ctx: { sim: Sim; openai: OpenAI }) => Promise<void>,
  opts: { broadcastUrl?: string } = {},
) {
  const sim = startOpenRouterSim({
    apiKey: `sk-or-v1-${crypto.randomUUID()}`,
    webhookSecret: "or-signing-secret",
    broadcast: opts.broadcastUrl
      ? { url: opts.broadcastUrl, secret: "bc-secret", header: "X-Broadcast-Secret" }
      : undefined,
    latencyMs: 5,
  });
  try {
    await fn({
      sim,
      openai: new OpenAI({ apiKey: sim.apiKey, baseURL: sim.baseUrl, maxRetries: 0 }),
    });
  } finally {
    await sim.stop();
  }
}

Deno.test("openrouter sim: non-streaming chat echoes the input with usage and cost", async () => {
  await withSim(async ({ sim, openai }) => {
    const res = await openai.chat.completions.create({
      model: "sim/chat-a",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: 'hello there [[sim:{"cost":0.0123}]]' },
      ],
    });
    assertMatch(res.id, /^gen-\d+-/);
    assertEquals(res.model, "sim/chat-a");
    assertEquals(res.choices[0].message.content, "Echo(sim/chat-a): hello there");
    assertEquals(res.choices[0].finish_reason, "stop");
    const usage = res.usage as OpenAI.CompletionUsage & { cost: number };
    assertEquals(usage.cost, 0.0123);
    assertEquals(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);

    const cut = await openai.chat.completions.create({
      model: "sim/chat-a",
      messages: [{ role: "user", content: "one two three four five" }],
      max_tokens: 3,
    });
    assertEquals(cut.choices[0].message.content, "Echo(sim/chat-a): one two");
    assertEquals(cut.choices[0].finish_reason, "length");
    assertEquals(sim.submissions().length, 2);
  });
});

Deno.test("openrouter sim: streaming with PROCESSING comments; final chunk carries usage", async () => {
  await withSim(async ({ sim, openai }) => {
    // The raw bytes really contain the comment lines...
    const raw = await fetch(`${sim.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "sim/chat-a",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const text = await raw.text();
    assertMatch(text, /^: OPENROUTER PROCESSING\n\n/);
    assertMatch(text, /data: \[DONE\]\n\n$/);
    assertOk(raw.headers.get("x-generation-id")?.startsWith("gen-"));

    // ...and the SDK skips them.
    const stream = await openai.chat.completions.create({
      model: "sim/chat-a",
      stream: true,
      messages: [{ role: "user", content: "stream me please" }],
    });
    let content = "";
    let finish: string | null = null;
    let usage: (OpenAI.CompletionUsage & { cost?: number }) | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assertEquals(content, "Echo(sim/chat-a): stream me please");
    assertEquals(finish, "stop");
    assertOk(usage && typeof usage.cost === "number" && usage.cost > 0, JSON.stringify(usage));
  });
});

Deno.test("openrouter sim: a mid-stream error surfaces from the SDK after the first chunks", async () => {
  await withSim(async ({ openai }) => {
    const stream = await openai.chat.completions.create({
      model: "sim/chat-a",
      stream: true,
      messages: [{
        role: "user",
        content:
          'a b c d e [[sim:{"stream_error_after":2,"stream_error":{"message":"upstream died"}}]]',
      }],
    });
    const pieces: string[] = [];
    const err = await assertRejects(async () => {
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? "");
    }) as Error & { error?: { code: string; message: string } };
    assertEquals(pieces, ["Echo(sim/chat-a):", " a"]);
    assertOk(err instanceof OpenAI.APIError, String(err));
    assertEquals(err.error, { code: "server_error", message: "upstream died" });
  });
});

Deno.test("openrouter sim: models fallback, 429 with Retry-After, 5xx, SDK retries", async () => {
  await withSim(async ({ sim, openai }) => {
    const res = await openai.chat.completions.create({
      model: "sim/primary",
      models: ["sim/backup"],
      provider: { order: ["Together"] },
      messages: [{ role: "user", content: 'x [[sim:{"fallback_fail":["sim/primary"]}]]' }],
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    assertEquals(res.model, "sim/backup");
    assertEquals((res as unknown as { provider: string }).provider, "Together");

    const limited = await assertRejects(() =>
      openai.chat.completions.create({
        model: "sim/chat-a",
        messages: [{ role: "user", content: '[[sim:{"create_status":429,"retry_after":7}]]' }],
      })
    );
    assertOk(limited instanceof OpenAI.RateLimitError);
    assertEquals(limited.status, 429);
    assertEquals(limited.headers?.get("retry-after"), "7");

    const down = await assertRejects(() =>
      openai.chat.completions.create({
        model: "sim/chat-a",
        messages: [{ role: "user", content: '[[sim:{"create_status":502}]]' }],
      })
    );
    assertOk(down instanceof OpenAI.InternalServerError);
    assertEquals((down as InstanceType<typeof OpenAI.APIError>).status, 502);

    // With retries on, the SDK honours Retry-After (0 here) and absorbs fail_first.
    const retrying = new OpenAI({ apiKey: sim.apiKey, baseURL: sim.baseUrl, maxRetries: 2 });
    sim.reset();
    const ok = await retrying.chat.completions.create({
      model: "sim/chat-a",
      messages: [{
        role: "user",
        content: 'r [[sim:{"create_status":429,"retry_after":0,"fail_first":2}]]',
      }],
    });
    assertEquals(ok.choices[0].message.content, "Echo(sim/chat-a): r");
    assertEquals(sim.submissions().map((s) => s.status), [429, 429, 200]);
  });
});

Deno.test("openrouter sim: a hung call times out in the SDK; /v1 alias for OpenAI clients", async () => {
  await withSim(async ({ sim }) => {
    const openai = new OpenAI({ apiKey: sim.apiKey, baseURL: sim.baseUrl, maxRetries: 0 });
    const err = await assertRejects(() =>
      openai.chat.completions.create({
        model: "sim/chat-a",
        messages: [{ role: "user", content: '[[sim:{"hang":true}]]' }],
      }, { timeout: 150 })
    );
    assertOk(err instanceof OpenAI.APIConnectionTimeoutError, String(err));
    const compat = new OpenAI({ apiKey: sim.apiKey, baseURL: sim.openaiBaseUrl, maxRetries: 0 });
    const res = await compat.chat.completions.create({
      model: "gpt-sim",
      messages: [{ role: "user", content: "compat" }],
    });
    assertEquals(res.choices[0].message.content, "Echo(gpt-sim): compat");
    const unauth = new OpenAI({ apiKey: "nope", baseURL: sim.baseUrl, maxRetries: 0 });
    const denied = await assertRejects(() =>
      unauth.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] })
    );
    assertOk(denied instanceof OpenAI.AuthenticationError);
  });
});

Deno.test("openrouter sim: video job, status polling, MP4 content and a signed callback", async () => {
  const receiver = startWebhookReceiver();
  try {
    await withSim(async ({ sim }) => {
      const auth = { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" };
      const created = await fetch(`${sim.baseUrl}/videos`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          model: "sim/video",
          prompt: 'a boat [[sim:{"webhook":{"duplicate":1}}]]',
          duration: 4,
          resolution: "480p",
          callback_url: receiver.url,
        }),
      });
      assertEquals(created.status, 202);
      const job = await created.json();
      assertEquals(job.status, "pending");
      assertEquals(job.polling_url, `/api/v1/videos/${job.id}`);

      const hooks = await receiver.waitFor((all) => all.length === 2);
      const [hook, dup] = hooks;
      assertEquals(hook.headers["x-openrouter-idempotency-key"], `${job.id}-completed`);
      assertEquals(dup.headers["x-openrouter-idempotency-key"], `${job.id}-completed`);
      const [, t, v1] = hook.headers["x-openrouter-signature"].match(
        /^t=(\d+),v1=([0-9a-f]{64})$/,
      )!;
      const expected = createHmac("sha256", "or-signing-secret").update(`${t},${hook.body}`)
        .digest("hex");
      assertEquals(v1, expected);
      assertOk(Math.abs(Date.now() / 1000 - Number(t)) < 300);
      assertEquals(hook.json.type, "video.generation.completed");
      const data = hook.json.data as Record<string, unknown>;
      assertEquals(data.id, job.id);
      assertMatch(String(data.generation_id), /^gen-/);

      const status = await (await fetch(`${sim.baseUrl}/videos/${job.id}`, { headers: auth }))
        .json();
      assertEquals(status.status, "completed");
      assertEquals(status.unsigned_urls, data.unsigned_urls);
      const mp4Res = await fetch(status.unsigned_urls[0], { headers: auth });
      assertEquals(mp4Res.headers.get("content-type"), "video/mp4");
      const mp4 = new Uint8Array(await mp4Res.arrayBuffer());
      const at = mp4.findIndex((_, i) =>
        new TextDecoder().decode(mp4.subarray(i, i + 4)) === "tkhd"
      );
      const tkhd = new DataView(mp4.buffer, at + 4);
      assertEquals([tkhd.getUint32(76) / 65536, tkhd.getUint32(80) / 65536], [854, 480]);
      const noAuth = await fetch(status.unsigned_urls[0]);
      assertEquals(noAuth.status, 401);
      await noAuth.body?.cancel();
    });
  } finally {
    await receiver.stop();
  }
});

Deno.test("openrouter sim: Broadcast posts an OTLP trace with usage and cost", async () => {
  const receiver = startWebhookReceiver();
  try {
    await withSim(async ({ sim, openai }) => {
      const res = await openai.chat.completions.create({
        model: "sim/chat-a",
        messages: [{ role: "user", content: 'trace me [[sim:{"broadcast":true}]]' }],
        user: "user-1",
      });
      const [hook] = await receiver.waitFor((all) => all.length === 1);
      assertEquals(hook.headers["x-broadcast-secret"], "bc-secret");
      const span = (hook.json as {
        resourceSpans: {
          scopeSpans: {
            spans: { attributes: { key: string; value: Record<string, unknown> }[] }[];
          }[];
        }[];
      }).resourceSpans[0].scopeSpans[0].spans[0];
      const attr = Object.fromEntries(
        span.attributes.map((a) => [a.key, Object.values(a.value)[0]]),
      );
      assertEquals(attr["gen_ai.response.id"], res.id);
      assertEquals(attr["gen_ai.usage.cost"], (res.usage as unknown as { cost: number }).cost);
      assertEquals(attr["gen_ai.usage.input_tokens"], String(res.usage!.prompt_tokens));
      assertEquals(attr["user.id"], "user-1");

      // The control API sends one on demand.
      const again = await fetch(`${sim.controlUrl}/broadcast`, {
        method: "POST",
        body: JSON.stringify({ generation_id: res.id }),
      });
      assertEquals((await again.json()).status, 200);
      assertEquals(receiver.received.length, 2);
    }, { broadcastUrl: receiver.url });
  } finally {
    await receiver.stop();
  }
});
