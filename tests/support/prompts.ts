/**
 * Fixtures for prompt enhancement tests: an enhancement model on the OpenRouter simulator, a
 * target image model of a family of its own on the Replicate simulator, and templates that only
 * these tests' lookups can match (the target model and family names are unique per call).
 */
import type { Sql } from "../../shared/db/client.ts";
import type { ProviderRow } from "../../shared/providers/provider_config.ts";
import type { ModelRow } from "../../shared/providers/registry.ts";
import { cleanup, createFundedUser, createSimModel, createSimProvider } from "./jobs.ts";
import { createTestModel, createTestProvider } from "./providers.ts";
import { createTestUser, type TestUser, withDb } from "./stack.ts";

/** What {@link createEnhanceSetup} made. */
export interface EnhanceSetup {
  openrouter: ProviderRow;
  replicate: ProviderRow;
  enhancer: ModelRow;
  target: ModelRow;
  family: string;
  /** Prefix of every template name this setup creates (for clean-up). */
  prefix: string;
}

/** A template row to insert. */
export interface TemplateFixture {
  name: string;
  contentMode?: "sfw" | "nsfw";
  targetModel?: string | null;
  jobType?: string | null;
  enhancerModel?: string;
  systemPrompt?: string;
  tokenLimit?: number;
  version?: number;
  active?: boolean;
  useCase?: string;
}

/** Providers, models and nothing else; templates come from {@link addTemplates}. */
export async function createEnhanceSetup(
  sql: Sql,
  opts: { enhancerDefault?: boolean } = {},
): Promise<EnhanceSetup> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const openrouter = await createTestProvider(sql, {
    adapter: "openrouter",
    base_url: Deno.env.get("OPENROUTER_BASE_URL")!,
    secret_name: "OPENROUTER_API_KEY",
    webhook_secret_name: "OPENROUTER_WEBHOOK_SECRET",
  });
  const replicate = await createSimProvider(sql);
  const enhancer = await createTestModel(sql, openrouter.id, {
    modality: "chat",
    task: "enhancement",
    model_key: `sim/enhancer-${suffix}`,
    input_defaults: { temperature: 0.3, max_tokens: 400 },
    is_default: opts.enhancerDefault ?? false,
  });
  const family = `fam-${suffix}`;
  const target = await createSimModel(sql, replicate.id, {}, { model_family: family });
  return { openrouter, replicate, enhancer, target, family, prefix: `test ${suffix}` };
}

/** Inserts templates (names prefixed with the setup's prefix); returns their ids by name. */
export async function addTemplates(
  sql: Sql,
  setup: EnhanceSetup,
  templates: TemplateFixture[],
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const t of templates) {
    const [row] = await sql<{ id: string }[]>`
      insert into public.prompt_templates (enhancer_model, use_case, content_mode, template_name,
        system_prompt, token_limit, job_type, target_model, version, is_active)
      values (${t.enhancerModel ?? ""}, ${t.useCase ?? "enhancement"}, ${t.contentMode ?? "sfw"},
        ${`${setup.prefix} ${t.name}`}, ${t.systemPrompt ?? `System prompt ${t.name}`},
        ${t.tokenLimit ?? 300}, ${t.jobType === undefined ? "image" : t.jobType},
        ${t.targetModel === undefined ? setup.target.model_key : t.targetModel}, ${t.version ?? 1},
        ${t.active ?? true})
      returning id`;
    ids[t.name] = row.id;
  }
  return ids;
}

/** Removes the setup's templates; providers (and their models) go with the caller's clean-up. */
export async function removeTemplates(sql: Sql, setup: EnhanceSetup): Promise<void> {
  await sql`delete from public.prompt_templates where template_name like ${`${setup.prefix} %`}`;
}

/** Runs `fn` with an enhancement setup and three users (plain, age-verified, admin). */
export async function withEnhanceSetup(
  fn: (
    sql: Sql,
    s: EnhanceSetup,
    users: { user: TestUser; adult: TestUser; admin: TestUser },
  ) => Promise<void>,
  opts: { enhancerDefault?: boolean } = {},
) {
  await withDb(async (sql) => {
    const setup = await createEnhanceSetup(sql, opts);
    const user = await createFundedUser(sql, 20);
    const adult = await createFundedUser(sql, 20, { ageVerified: true });
    const admin = await createTestUser(sql, { admin: true });
    try {
      await fn(sql, setup, { user, adult, admin });
    } finally {
      await removeTemplates(sql, setup);
      await cleanup(sql, [user, adult, admin], [setup.openrouter, setup.replicate]);
    }
  });
}
