/**
 * Scenario 11: the latency enhance-prompt adds over its enhancer, the OpenRouter simulator at zero
 * latency (the simulator's own answer time is the anchor: the same chat completion sent to it
 * directly), p50 and p99 at 1 and 32 clients, with the template cache warm.
 */
import { type BenchContext, directUrl, ratioRow } from "../lib/context.ts";
import { closedLoop } from "../lib/closed_loop.ts";
import { repeat } from "../lib/stats.ts";
import { createFundedUser } from "../../tests/support/jobs.ts";
import { addTemplates, createEnhanceSetup, removeTemplates } from "../../tests/support/prompts.ts";

/** Runs scenario 11. */
export async function enhanceLatency(ctx: BenchContext): Promise<void> {
  const s = "11. enhance-prompt latency";
  ctx.log(s);
  const sql = ctx.fx.admin;
  const setup = await createEnhanceSetup(sql);
  const user = await createFundedUser(sql, 0);
  await addTemplates(sql, setup, [{
    name: "bench",
    systemPrompt: "Rewrite the prompt for SDXL.",
  }]);
  const [{ config }] = await sql`select config from public.system_config where id = 1`;
  // The per-user budget would stop one benchmark user long before the load does.
  await sql`update public.system_config set config = config || '{"enhance_requests_per_minute": 0}'
    where id = 1`;
  const prompt = "a lighthouse at dusk, crashing waves, dramatic clouds";
  const fn = `${directUrl(ctx, "enhance-prompt")}/enhance-prompt`;
  const fnBody = JSON.stringify({
    prompt,
    target_model_id: setup.target.id,
    enhancer_model_id: setup.enhancer.id,
  });
  const sim = `${ctx.stack.env.OPENROUTER_BASE_URL}/chat/completions`;
  const simBody = JSON.stringify({
    model: setup.enhancer.model_key,
    messages: [{ role: "system", content: "Rewrite the prompt for SDXL." }, {
      role: "user",
      content: prompt,
    }],
    max_tokens: 400,
    temperature: 0.3,
  });
  const post = async (
    url: string,
    body: string,
    headers: Record<string, string>,
  ) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    const text = await res.text();
    // A fallback answer would measure an enhancer that was never called.
    return res.status === 200 && !text.includes('"fallback_original"');
  };
  try {
    for (const clients of [1, 32]) {
      const seconds = ctx.opts.durationS;
      const r = await repeat(ctx.opts.runs, async () => {
        const direct = await closedLoop(
          clients,
          seconds,
          () =>
            post(sim, simBody, {
              authorization: `Bearer ${ctx.stack.env.OPENROUTER_API_KEY}`,
            }),
        );
        const via = await closedLoop(
          clients,
          seconds,
          () => post(fn, fnBody, { authorization: `Bearer ${user.jwt}` }),
        );
        if (via.errors > 0) {
          ctx.log(`  ${via.errors} enhance-prompt requests failed`);
        }
        return {
          directP50: direct.p50,
          directP99: direct.p99,
          addedP50: via.p50 - direct.p50,
          addedP99: via.p99 - direct.p99,
          viaRps: via.rps,
        };
      });
      ratioRow(ctx, {
        scenario: s,
        metric: `p50 added over the enhancer @${clients}, direct`,
        unit: "ms",
        value: r.addedP50,
        note: `the simulator's own p50: ${r.directP50.median.toFixed(2)} ms`,
        maxValue: 3,
      });
      ratioRow(ctx, {
        scenario: s,
        metric: `p99 added over the enhancer @${clients}, direct`,
        unit: "ms",
        value: r.addedP99,
        note: `the simulator's own p99: ${r.directP99.median.toFixed(2)} ms`,
      });
      ratioRow(ctx, {
        scenario: s,
        metric: `req/s @${clients}, direct`,
        unit: "req/s",
        value: r.viaRps,
      });
    }
  } finally {
    await sql`update public.system_config set config = ${sql.json(config)} where id = 1`;
    await removeTemplates(sql, setup);
    await sql`delete from auth.users where id = ${user.id}`;
    await sql`delete from public.api_providers where id = any(${[
      setup.openrouter.id,
      setup.replicate.id,
    ]}::uuid[])`;
  }
}
