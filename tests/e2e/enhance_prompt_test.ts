/**
 * `POST /enhance-prompt` through the gateway: our body and answer, the reference frontend's body
 * and answer, auth and NSFW gating, validation naming the field, hostile input, the per-user rate
 * limit, the admin cache refresh.
 */
import { assertEquals, assertOk, eventually } from "../support/assert.ts";
import { callFn } from "../support/jobs.ts";
import { addTemplates, withEnhanceSetup } from "../support/prompts.ts";

type Body = Record<string, unknown>;
const err = (b: Body) => b.error as { code: string; details?: { field: string }[] };

Deno.test("POST /enhance-prompt: our body and answer, the template and negative prompt, the usage row", async () => {
  await withEnhanceSetup(async (sql, s, { user }) => {
    await addTemplates(sql, s, [{ name: "exact", systemPrompt: "Rewrite for SDXL." }]);
    await sql`insert into public.negative_prompts (model_type, content_mode, generation_mode, negative_prompt, priority)
      values (${s.family}, 'sfw', 'txt2img', 'lowres, blurry', 1)`;
    const reply = JSON.stringify({ reply: "a lighthouse at dusk, crashing waves, golden light" });
    const res = await callFn(user, "POST", "/enhance-prompt", {
      prompt: `a lighthouse [[sim:${reply}]]`,
      target_model_id: s.target.id,
      enhancer_model_id: s.enhancer.id,
      negative_prompt: "text",
    });
    assertEquals(res.status, 200, JSON.stringify(res.body));
    assertEquals(res.body.enhanced_prompt, "a lighthouse at dusk, crashing waves, golden light");
    assertEquals(res.body.strategy, "llm_template");
    assertEquals(res.body.negative_prompt, "lowres, blurry, text");
    assertEquals((res.body.template as Body).name, `${s.prefix} exact`);
    assertEquals(res.body.model_used, s.enhancer.model_key);
    const meta = res.body.metadata as Body;
    assertEquals([meta.fallback, meta.template_level, meta.token_limit], [null, "exact", 300]);
    // The original prompt carries the simulator's directive, so the expansion may be negative.
    assertEquals(typeof meta.expansion_percentage, "number");
    // The usage row is written after the answer.
    const [usage] = await eventually(
      () =>
        sql`select request_type, user_id from public.api_usage_logs
        where model_id = ${s.enhancer.id}`,
      (rows) => rows.length > 0,
    );
    assertEquals([usage.request_type, usage.user_id], ["enhancement", user.id]);
    await sql`delete from public.negative_prompts where model_type = ${s.family}`;
  });
});

Deno.test("POST /enhance-prompt: the reference frontend's body gets the reference answer", async () => {
  await withEnhanceSetup(async (sql, s, { user }) => {
    await addTemplates(sql, s, [{ name: "exact" }]);
    const res = await callFn(user, "POST", "/enhance-prompt", {
      prompt: `a fox [[sim:${JSON.stringify({ reply: "a red fox in fresh snow" })}]]`,
      jobType: "image",
      format: "image",
      quality: "high",
      contentType: "sfw",
      // A worker name from the reference system is never sent to a provider.
      selectedModel: "qwen_instruct",
      enhancement_model: s.enhancer.model_key,
      model_id: s.target.id,
      user_id: crypto.randomUUID(),
    });
    assertEquals(res.status, 200, JSON.stringify(res.body));
    assertEquals(res.body.success, true);
    assertEquals(res.body.enhanced_prompt, "a red fox in fresh snow");
    assertEquals(res.body.enhancement_strategy, "llm_template");
    const meta = res.body.enhancement_metadata as Body;
    assertEquals(
      [
        meta.job_type,
        meta.format,
        meta.quality,
        meta.content_mode,
        meta.template_name,
        meta.model_used,
      ],
      ["image", "image", "high", "sfw", `${s.prefix} exact`, s.enhancer.model_key],
    );
    assertEquals(meta.enhanced_length, "a red fox in fresh snow".length);
    for (
      const k of [
        "original_length",
        "expansion_percentage",
        "token_count",
        "execution_time_ms",
        "cache_hit",
      ]
    ) {
      assertOk(k in meta, k);
    }
    const [{ users }] = await eventually(
      () =>
        sql`select array_agg(distinct user_id::text) as users from public.api_usage_logs
        where model_id = ${s.enhancer.id}`,
      ([row]) => row.users !== null,
    );
    assertEquals(users, [user.id], "the token's user, never the body's user_id");
  });
});

Deno.test("POST /enhance-prompt: auth, NSFW gating, validation and hostile input answer 4xx naming the field", async () => {
  await withEnhanceSetup(async (sql, s, { user, adult, admin }) => {
    await addTemplates(sql, s, [
      { name: "sfw" },
      { name: "nsfw", contentMode: "nsfw" },
    ]);
    const base = {
      prompt: "a dancer",
      target_model_id: s.target.id,
      enhancer_model_id: s.enhancer.id,
    };
    const anon = await callFn(null, "POST", "/enhance-prompt", base);
    assertEquals([anon.status, err(anon.body).code], [401, "UNAUTHORIZED"]);

    const refused = await callFn(user, "POST", "/enhance-prompt", {
      ...base,
      content_mode: "nsfw",
    });
    assertEquals([refused.status, err(refused.body).details?.[0].field], [403, "content_mode"]);
    const refusedRef = await callFn(user, "POST", "/enhance-prompt", {
      prompt: "x",
      contentType: "nsfw",
    });
    assertEquals(refusedRef.status, 403, "the reference body's contentType is gated too");
    for (const who of [adult, admin]) {
      const ok = await callFn(who, "POST", "/enhance-prompt", { ...base, content_mode: "nsfw" });
      assertEquals(ok.status, 200, JSON.stringify(ok.body));
      assertEquals((ok.body.template as Body).name, `${s.prefix} nsfw`);
    }
    const sfw = await callFn(adult, "POST", "/enhance-prompt", base);
    assertEquals((sfw.body.template as Body).name, `${s.prefix} sfw`, "sfw unless asked");

    const [chatModel] =
      await sql`insert into public.api_models (provider_id, model_key, display_name, modality, task)
      values (${s.openrouter.id}, ${`sim/chat-${
        s.prefix.slice(5)
      }`}, 'chat', 'chat', 'chat') returning id`;
    const cases: [Body | string, string][] = [
      [{ ...base, prompt: "   " }, "prompt"],
      [{ ...base, prompt: "x".repeat(4001) }, "prompt"],
      [{ target_model_id: s.target.id }, "prompt"],
      [{ ...base, modality: "audio" }, "modality"],
      [{ ...base, content_mode: "spicy" }, "content_mode"],
      [{ ...base, target_model_id: "nope" }, "target_model_id"],
      [{ ...base, target_model_id: crypto.randomUUID() }, "target_model_id"],
      [{ ...base, target_model_key: "a/b" }, "target_model_key"],
      [{ ...base, enhancer_model_id: crypto.randomUUID() }, "enhancer_model_id"],
      [{ ...base, enhancer_model_id: chatModel.id }, "enhancer_model_id"],
      [{ ...base, enhancer_model_id: s.target.id }, "enhancer_model_id"],
      [{ ...base, model: "openai/gpt-4o" }, "model"],
      [{ ...base, regenerate: "yes" }, "regenerate"],
      [{ ...base, prompt: "a\u0000b" }, "prompt"],
      [{ ...base, prompt: "a\ud800b" }, "prompt"],
      ['{"prompt":"x","__proto__":{"admin":true}}', "__proto__"],
      ["[1,2]", "body"],
    ];
    for (const [body, field] of cases) {
      const res = await callFn(user, "POST", "/enhance-prompt", body);
      assertEquals(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
      assertEquals(err(res.body).code, "BAD_REQUEST");
      assertOk(
        err(res.body).details?.some((d) => d.field.includes(field)),
        `${field} named: ${JSON.stringify(res.body)}`,
      );
    }
    const deep = `{"prompt":"x","metadata":${"[".repeat(7000)}${"]".repeat(7000)}}`;
    assertEquals((await callFn(user, "POST", "/enhance-prompt", deep)).status, 400);
    const huge = await callFn(user, "POST", "/enhance-prompt", {
      ...base,
      prompt: "x".repeat(20_000),
    });
    assertEquals(huge.status, 413);
  });
});

Deno.test("POST /enhance-prompt: the per-user rate limit answers 429 with Retry-After; admins refresh the cache", async () => {
  await withEnhanceSetup(async (sql, s, { user, admin }) => {
    await addTemplates(sql, s, [{ name: "exact" }]);
    const [{ config }] = await sql`select config from public.system_config where id = 1`;
    try {
      await sql`update public.system_config set config = config || '{"enhance_requests_per_minute": 2}' where id = 1`;
      const body = {
        prompt: "a cat",
        target_model_id: s.target.id,
        enhancer_model_id: s.enhancer.id,
      };
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await callFn(user, "POST", "/enhance-prompt", body));
      assertEquals(answers.map((a) => a.status), [200, 200, 429]);
      assertEquals(err(answers[2].body).code, "RATE_LIMITED");
      assertOk(Number(answers[2].headers.get("retry-after")) >= 1);
      const other = await callFn(admin, "POST", "/enhance-prompt", body);
      assertEquals(other.status, 200, "another user's budget is their own");
    } finally {
      await sql`update public.system_config set config = ${sql.json(config)} where id = 1`;
    }

    const forbidden = await callFn(user, "POST", "/enhance-prompt/cache/refresh");
    assertEquals(forbidden.status, 403);
    const refreshed = await callFn(admin, "POST", "/enhance-prompt/cache/refresh");
    assertEquals(refreshed.status, 200, JSON.stringify(refreshed.body));
    assertEquals(refreshed.body.refreshed, true);
    assertOk((refreshed.body.templates as number) >= 1);
  });
});
