/**
 * queue-job with `enhance: true` end to end: the enhanced prompt and how it was made stored on the
 * job; a broken enhancer never fails the job.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { callFn, waitForJob } from "../support/jobs.ts";
import { addTemplates, withEnhanceSetup } from "../support/prompts.ts";

type Body = Record<string, unknown>;

Deno.test("queue-job with enhance: true stores the enhanced prompt and how; a broken enhancer never fails the job", async () => {
  await withEnhanceSetup(async (sql, s, { user }) => {
    await addTemplates(sql, s, [{ name: "exact", enhancerModel: "" }]);
    const reply = JSON.stringify({ reply: "a lighthouse at dusk, crashing waves" });
    const created = await callFn(user, "POST", "/queue-job", {
      prompt: `a lighthouse [[sim:${reply}]]`,
      model_id: s.target.id,
      enhance: true,
    });
    assertEquals(created.status, 202, JSON.stringify(created.body));
    const id = (created.body.job as Body).id as string;
    const [job] = await sql`select prompt, original_prompt, enhanced_prompt, enhancement_strategy,
      template_name, enhancement_time_ms, qwen_expansion_percentage::float as expansion
      from public.jobs where id = ${id}`;
    assertEquals(job.prompt, "a lighthouse at dusk, crashing waves");
    assertEquals(job.enhanced_prompt, "a lighthouse at dusk, crashing waves");
    assertOk((job.original_prompt as string).startsWith("a lighthouse [[sim:"));
    assertEquals([job.enhancement_strategy, job.template_name], [
      "llm_template",
      `${s.prefix} exact`,
    ]);
    assertOk(job.enhancement_time_ms >= 0 && typeof job.expansion === "number");
    assertEquals(
      (await waitForJob(sql, id)).status,
      "completed",
      "generated with the enhanced prompt",
    );

    const broken = await callFn(user, "POST", "/queue-job", {
      prompt: `a fox [[sim:${JSON.stringify({ create_status: 503 })}]]`,
      model_id: s.target.id,
      enhance: true,
    });
    assertEquals(broken.status, 202, JSON.stringify(broken.body));
    const [kept] = await sql`select prompt, enhancement_strategy from public.jobs
      where id = ${(broken.body.job as Body).id as string}`;
    assertOk((kept.prompt as string).startsWith("a fox"), "the prompt as typed");
    assertEquals(kept.enhancement_strategy, "fallback_original:provider_error");
  }, { enhancerDefault: true });
});

Deno.test("queue-job enhances nothing for a replay or a refused charge; a model's stray characters never fail the job", async () => {
  await withEnhanceSetup(async (sql, s, { user }) => {
    await addTemplates(sql, s, [{ name: "exact", enhancerModel: "" }]);
    const enhancements = async () =>
      (await sql`select count(*)::int as n from public.api_usage_logs
        where user_id = ${user.id} and request_type = 'enhancement'`)[0].n as number;
    const key = crypto.randomUUID();
    const body = { prompt: "a quiet harbour", model_id: s.target.id, enhance: true };
    const first = await callFn(user, "POST", "/queue-job", body, { "idempotency-key": key });
    assertEquals(first.status, 202, JSON.stringify(first.body));
    assertEquals(await enhancements(), 1);
    const replay = await callFn(user, "POST", "/queue-job", body, { "idempotency-key": key });
    assertOk(replay.status < 300, JSON.stringify(replay.body));
    assertEquals((replay.body.job as Body).id, (first.body.job as Body).id);
    const conflict = await callFn(user, "POST", "/queue-job", { ...body, prompt: "other" }, {
      "idempotency-key": key,
    });
    assertEquals(conflict.status, 409);
    await sql`update public.profiles set token_balance = 0 where id = ${user.id}`;
    const broke = await callFn(user, "POST", "/queue-job", body);
    assertEquals(broke.status, 402);
    assertEquals(await enhancements(), 1, "no enhancement for a replay, a conflict or a 402");

    await sql`update public.profiles set token_balance = 20 where id = ${user.id}`;
    const stray = JSON.stringify({ reply: `a red fox\u0000 in snow \u001b[31m ${"😀".repeat(5)}` });
    const odd = await callFn(user, "POST", "/queue-job", {
      prompt: `a fox [[sim:${stray}]]`,
      model_id: s.target.id,
      enhance: true,
    });
    assertEquals(odd.status, 202, JSON.stringify(odd.body));
    const [job] = await sql`select prompt from public.jobs
      where id = ${(odd.body.job as Body).id as string}`;
    assertEquals(job.prompt, `a red fox in snow [31m ${"😀".repeat(5)}`);
  }, { enhancerDefault: true });
});
