/**
 * The enhancer in process, against the real database and the OpenRouter simulator: template
 * levels from the tables, cleaning and the token limit, every failure mode (each answered with the
 * original prompt and its reason), the usage row, and the template cache's refresh.
 */
import { assertEquals, assertOk } from "../support/assert.ts";
import { cleanup } from "../support/jobs.ts";
import {
  addTemplates,
  createEnhanceSetup,
  type EnhanceSetup,
  removeTemplates,
} from "../support/prompts.ts";
import { createTestModel, createTestProvider } from "../support/providers.ts";
import { createTestUser, withDb } from "../support/stack.ts";
import type { Sql } from "../../shared/db/client.ts";
import { createGroupCommit } from "../../shared/db/group_commit.ts";
import { asService } from "../../shared/db/scopes.ts";
import { recordModelOutcome } from "../../shared/db/tables/provider_runtime.ts";
import { createLogger } from "../../shared/log.ts";
import {
  type EnhanceDeps,
  enhancePrompt,
  type EnhanceRequest,
} from "../../shared/prompts/enhance.ts";
import { PromptCatalog } from "../../shared/prompts/prompt_catalog.ts";
import { ProviderRegistry } from "../../shared/providers/registry.ts";

function deps(sql: Sql, opts: { timeoutMs?: number; checkMs?: number } = {}): EnhanceDeps {
  return {
    db: sql,
    commits: createGroupCommit(sql),
    registry: new ProviderRegistry({
      db: sql,
      env: (k) => Deno.env.get(k),
      log: createLogger({ level: "error" }),
      ttlMs: 0,
    }),
    catalog: new PromptCatalog({ db: sql, checkMs: opts.checkMs ?? 0 }),
    log: createLogger({ level: "error" }),
    timeoutMs: opts.timeoutMs,
  };
}

async function withSetup(fn: (sql: Sql, s: EnhanceSetup, userId: string) => Promise<void>) {
  await withDb(async (sql) => {
    const setup = await createEnhanceSetup(sql);
    const user = await createTestUser(sql);
    try {
      await fn(sql, setup, user.id);
    } finally {
      await removeTemplates(sql, setup);
      await cleanup(sql, [user], [setup.openrouter, setup.replicate]);
    }
  });
}

const request = (s: EnhanceSetup, userId: string, prompt: string): EnhanceRequest => ({
  userId,
  prompt,
  modality: "image",
  targetModelId: s.target.id,
  contentMode: "sfw",
  enhancerModelId: s.enhancer.id,
});

Deno.test("enhancer: template levels from the tables, never SFW→NSFW, inactive and older versions skipped", async () => {
  await withSetup(async (sql, s, userId) => {
    const d = deps(sql);
    const level = async (prompt = "a lighthouse") => {
      const r = await enhancePrompt(d, request(s, userId, prompt));
      return [
        r.strategy,
        r.template?.name.replace(`${s.prefix} `, "") ?? null,
        r.metadata.template_level,
      ];
    };
    assertEquals(await level(), ["no_template", null, null]);
    await addTemplates(sql, s, [{ name: "nsfw exact", contentMode: "nsfw" }]);
    assertEquals(await level(), ["no_template", null, null], "an SFW request never gets NSFW");
    await addTemplates(sql, s, [
      { name: "universal", targetModel: null, enhancerModel: s.enhancer.model_key },
    ]);
    assertEquals(await level(), ["llm_template", "universal", "universal"]);
    await addTemplates(sql, s, [{ name: "family", targetModel: s.family }]);
    assertEquals(await level(), ["llm_template", "family", "family"]);
    await addTemplates(sql, s, [
      { name: "exact off", active: false, enhancerModel: s.enhancer.model_key },
      { name: "exact v1" },
    ]);
    assertEquals(await level(), ["llm_template", "exact v1", "exact"], "inactive rows never match");
    await sql`update public.prompt_templates set is_active = false
      where template_name = ${`${s.prefix} exact v1`}`;
    await addTemplates(sql, s, [{ name: "exact v2", version: 2 }]);
    assertEquals(await level(), ["llm_template", "exact v2", "exact"]);
  });
});

Deno.test("enhancer: the reply is cleaned and cut to the template's token limit; usage and cost recorded", async () => {
  await withSetup(async (sql, s, userId) => {
    await addTemplates(sql, s, [{ name: "short", tokenLimit: 11 }]);
    const reply = JSON.stringify({
      reply: 'Enhanced prompt: "a tall lighthouse at dusk, crashing waves, dramatic clouds"',
      cost: 0.0004,
    });
    const r = await enhancePrompt(deps(sql), request(s, userId, `a lighthouse [[sim:${reply}]]`));
    assertEquals(r.strategy, "llm_template");
    assertEquals(r.enhanced_prompt, "a tall lighthouse at dusk, crashing waves");
    assertEquals(r.metadata.token_limit, 11);
    assertOk(r.metadata.token_count <= 11, String(r.metadata.token_count));
    assertEquals(r.model_used, s.enhancer.model_key);
    const rows =
      await sql`select request_type, tokens_input, tokens_output, cost_usd_actual::float as cost,
      response_status from public.api_usage_logs where model_id = ${s.enhancer.id}`;
    assertEquals(rows.length, 1);
    assertEquals([rows[0].request_type, rows[0].response_status, rows[0].cost], [
      "enhancement",
      200,
      0.0004,
    ]);
    assertOk(rows[0].tokens_input > 0 && rows[0].tokens_output > 0);
  });
});

Deno.test("enhancer: every failure answers with the original prompt and says why", async () => {
  await withSetup(async (sql, s, userId) => {
    await addTemplates(sql, s, [{ name: "exact" }]);
    const d = deps(sql, { timeoutMs: 400 });
    const fallback = async (
      directive: Record<string, unknown>,
      req: Partial<EnhanceRequest> = {},
    ) => {
      const prompt = `a fox [[sim:${JSON.stringify(directive)}]]`;
      const r = await enhancePrompt(d, { ...request(s, userId, prompt), ...req });
      assertEquals(r.enhanced_prompt, prompt, "the original prompt, untouched");
      return [r.strategy, r.metadata.fallback];
    };
    assertEquals(await fallback({ create_status: 503 }), ["fallback_original", "provider_error"]);
    assertEquals(await fallback({ create_status: 429 }), ["fallback_original", "rate_limited"]);
    assertEquals(await fallback({ hang: true }), ["fallback_original", "timeout"]);
    assertEquals(await fallback({ create_status: 400 }), [
      "fallback_original",
      "provider_rejected",
    ]);
    assertEquals(await fallback({ reply: '""' }), ["fallback_original", "empty_reply"]);

    const failures = await sql`select count(*)::int as n from public.api_usage_logs
      where model_id = ${s.enhancer.id} and error_message is not null`;
    assertEquals(failures[0].n, 4, "each failed call has its usage row");

    // A provider whose key is not set: the explicitly chosen enhancer is unavailable.
    const keyless = await createTestProvider(sql, {
      adapter: "openrouter",
      secret_name: "OPENAI_API_KEY_UNSET",
    });
    try {
      const model = await createTestModel(sql, keyless.id, {
        modality: "chat",
        task: "enhancement",
      });
      assertEquals(await fallback({}, { enhancerModelId: model.id }), [
        "fallback_original",
        "missing_key",
      ]);
    } finally {
      await sql`delete from public.api_providers where id = ${keyless.id}`;
    }

    // Three failures in a row put the model in cooldown: no call is made meanwhile.
    for (let i = 0; i < 3; i++) {
      await asService(
        sql,
        (tx) => recordModelOutcome(tx, s.enhancer.id, { ok: false, error: "x" }),
      );
    }
    const before =
      await sql`select count(*)::int as n from public.api_usage_logs where model_id = ${s.enhancer.id}`;
    assertEquals(await fallback({}), ["fallback_original", "cooldown"]);
    const after =
      await sql`select count(*)::int as n from public.api_usage_logs where model_id = ${s.enhancer.id}`;
    assertEquals(after[0].n, before[0].n, "no provider call during the cooldown");
  });
});

Deno.test("enhancer: a table change is seen within the check window, and at once after invalidate()", async () => {
  await withSetup(async (sql, s, userId) => {
    await addTemplates(sql, s, [{ name: "first" }]);
    const d = deps(sql, { checkMs: 60_000 });
    const name = async () =>
      (await enhancePrompt(d, request(s, userId, "a cat"))).template?.name.replace(
        `${s.prefix} `,
        "",
      );
    const first = await enhancePrompt(d, request(s, userId, "a cat"));
    assertEquals(first.metadata.cache_hit, false, "the first read loads");
    assertEquals((await enhancePrompt(d, request(s, userId, "a cat"))).metadata.cache_hit, true);
    await sql`update public.prompt_templates set is_active = false where template_name = ${`${s.prefix} first`}`;
    await addTemplates(sql, s, [{ name: "second" }]);
    assertEquals(await name(), "first", "inside the window the cached template still serves");
    d.catalog.invalidate();
    assertEquals(await name(), "second", "after invalidate() the change is seen at once");

    const windowed = deps(sql, { checkMs: 300 });
    assertEquals(
      await (async () => {
        const r = await enhancePrompt(windowed, request(s, userId, "a cat"));
        return r.template?.name.replace(`${s.prefix} `, "");
      })(),
      "second",
    );
    await sql`update public.prompt_templates set is_active = false where template_name = ${`${s.prefix} second`}`;
    await addTemplates(sql, s, [{ name: "third" }]);
    await new Promise((r) => setTimeout(r, 350));
    const r = await enhancePrompt(windowed, request(s, userId, "a cat"));
    assertEquals(
      r.template?.name.replace(`${s.prefix} `, ""),
      "third",
      "seen once the window passed",
    );
  });
});
