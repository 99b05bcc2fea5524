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
