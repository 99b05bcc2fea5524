/**
 * Prompt enhancement, the one implementation behind `POST /enhance-prompt` and queue-job's
 * `enhance: true`: the template for the target model (template_selection.ts), the enhancer model
 * from the registry (an active chat model of task `enhancement`; no free-form model strings),
 * one completion through the provider's chat adapter, the reply cleaned and cut to the
 * template's token limit, and the call's usage and cost recorded. Generation never waits on a
 * broken enhancer: any provider failure answers with the original prompt and says why.
 */
import type { Sql } from "../db/client.ts";
import type { GroupCommit } from "../db/group_commit.ts";
import { sha256Hex } from "../encoding.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { chatFor } from "../providers/adapters.ts";
import type { ChatResult } from "../providers/chat_client.ts";
import { ProviderError } from "../providers/provider_error.ts";
import type { ProviderRegistry, ResolvedModel } from "../providers/registry.ts";
import { cleanEnhanced, estimateTokens, truncateToTokens } from "./clean_prompt.ts";
import { recordChatCall } from "./chat_calls.ts";
import { assembleNegativePrompt } from "./negative_prompt.ts";
import type { PromptCatalog } from "./prompt_catalog.ts";
import { type FallbackLevel, selectTemplate } from "./template_selection.ts";
import { type ContentMode, type MediaKind } from "../vocabulary.ts";
import type { Background } from "../background.ts";

/** What enhancement needs. */
export interface EnhanceDeps {
  db: Sql;
  commits: GroupCommit;
  registry: ProviderRegistry;
  catalog: PromptCatalog;
  log: Logger;
  /** Deadline of the enhancer call. @default 15000 */
  timeoutMs?: number;
  /**
   * Work after the answer: a successful call's bookkeeping (usage row, model health) runs there
   * instead of before the answer (it cost about 3 ms of every enhancement at one client). Without
   * it (tests reading the row at once) the bookkeeping is awaited. A failure's is always awaited:
   * the model's cooldown must count it before the next request.
   */
  background?: Background;
}

/** A request to enhance. */
export interface EnhanceRequest {
  userId: string;
  prompt: string;
  modality: MediaKind;
  /** The generation model the prompt is for (else the registry's default for the modality). */
  targetModelId?: string;
  targetModelKey?: string;
  /** The reference frontend's job_type, matched like queue-job does. */
  legacyJobType?: string;
  /** Decided on the server: nsfw only for an age-verified user or an admin who asked. */
  contentMode: ContentMode;
  /** An active chat model of task `enhancement`; else the default enhancer. */
  enhancerModelId?: string;
  /** Ask for another take than last time (a warmer sampling and an instruction to vary). */
  regenerate?: boolean;
  /** The user's own negative prompt, appended to the assembled one. */
  negativePrompt?: string;
  /** With a reference image, i2i negative prompts apply. */
  generationMode?: "txt2img" | "i2i";
}

/** Why the original prompt came back unchanged. */
export type FallbackReason =
  | "no_enhancer"
  | "missing_key"
  | "cooldown"
  | "rate_limited"
  | "timeout"
  | "provider_error"
  | "provider_rejected"
  | "empty_reply";

/** The answer, in our shape. */
export interface EnhanceResult {
  original_prompt: string;
  enhanced_prompt: string;
  negative_prompt: string | null;
  template: { id: string; name: string; version: number } | null;
  strategy: "llm_template" | "fallback_original" | "no_template";
  model_used: string | null;
  /** The target generation model's key. */
  target_model: string;
  metadata: {
    expansion_percentage: number;
    token_count: number;
    token_limit: number | null;
    execution_time_ms: number;
    cache_hit: boolean;
    fallback: FallbackReason | null;
    template_level: FallbackLevel | null;
  };
}

const FAILURE_REASON: Record<ProviderError["failure"], FallbackReason> = {
  rate_limited: "rate_limited",
  timeout: "timeout",
  server_error: "provider_error",
  network: "provider_error",
  rejected: "provider_rejected",
  invalid_response: "provider_error",
};

/** Enhances a prompt; never throws for an enhancer failure (only for a bad request). */
export async function enhancePrompt(
  deps: EnhanceDeps,
  req: EnhanceRequest,
  /** Settled before the enhancer is called (a rate limit checked meanwhile). */
  gate: Promise<void> = Promise.resolve(),
): Promise<EnhanceResult> {
  // A rejected gate is awaited below; until then it must not count as unhandled.
  gate.catch(() => {});
  const started = performance.now();
  const target = await deps.registry.resolve({
    modality: req.modality,
    modelId: req.targetModelId,
    modelKey: req.targetModelKey,
    legacyJobType: req.legacyJobType,
  }).catch((err) => {
    throw renameField(err, { model_id: "target_model_id", model_key: "target_model_key" });
  });
  const enhancer = await chooseEnhancer(deps, req.enhancerModelId);
  const query = {
    useCase: "enhancement",
    contentMode: req.contentMode,
    jobType: req.modality,
    targetModel: target.primary.model.model_key,
    targetFamily: target.primary.model.model_family,
    enhancerModel: "model" in enhancer ? enhancer.model.model.model_key : undefined,
  };
  let { snapshot, cacheHit } = await deps.catalog.read();
  let choice = selectTemplate(snapshot.templates, query);
  if (!choice && cacheHit) {
    // Nothing fits the cached rows: ask the database whether templates were added since.
    ({ snapshot, cacheHit } = await deps.catalog.read(true));
    choice = selectTemplate(snapshot.templates, query);
  }
  const negative = target.primary.capabilities?.supports_negative_prompt === false
    ? undefined
    : assembleNegativePrompt(snapshot.negatives, {
      modelFamily: target.primary.model.model_family,
      contentMode: req.contentMode,
      generationMode: req.generationMode ?? "txt2img",
      user: req.negativePrompt,
    });
  const answer = (
    enhanced: string,
    strategy: EnhanceResult["strategy"],
    modelUsed: string | null,
    fallback: FallbackReason | null,
  ): EnhanceResult => ({
    original_prompt: req.prompt,
    enhanced_prompt: enhanced,
    negative_prompt: negative ?? null,
    template: choice
      ? {
        id: choice.template.id,
        name: choice.template.template_name,
        version: choice.template.version,
      }
      : null,
    strategy,
    model_used: modelUsed,
    target_model: target.primary.model.model_key,
    metadata: {
      expansion_percentage: Math.round((enhanced.length / req.prompt.length - 1) * 1000) / 10,
      token_count: estimateTokens(enhanced),
      token_limit: choice?.template.token_limit ?? null,
      execution_time_ms: Math.round(performance.now() - started),
      cache_hit: cacheHit,
      fallback,
      template_level: choice?.level ?? null,
    },
  });

  await gate;
  if (!choice) return answer(req.prompt, "no_template", null, null);
  if (!("model" in enhancer)) return answer(req.prompt, "fallback_original", null, enhancer.reason);
  const model = enhancer.model;
  if (await deps.registry.isCooling(model.model.id)) {
    return answer(req.prompt, "fallback_original", model.model.model_key, "cooldown");
  }
  const call = await complete(
    deps,
    model,
    req,
    choice.template.system_prompt,
    choice.template.token_limit,
  );
  if ("reason" in call) {
    return answer(req.prompt, "fallback_original", model.model.model_key, call.reason);
  }
  const cleaned = truncateToTokens(cleanEnhanced(call.result.text), choice.template.token_limit);
  if (!cleaned) return answer(req.prompt, "fallback_original", call.result.model, "empty_reply");
  return answer(cleaned, "llm_template", call.result.model, null);
}

/** The enhancer model: explicit (validated), else the registry's default for chat enhancement. */
async function chooseEnhancer(
  deps: EnhanceDeps,
  modelId: string | undefined,
): Promise<{ model: ResolvedModel } | { reason: FallbackReason }> {
  try {
    const { primary } = await deps.registry.resolve({
      modality: "chat",
      task: "enhancement",
      modelId,
    });
    if (modelId && primary.model.task !== "enhancement") {
      throw new AppError("BAD_REQUEST", "Invalid enhancer_model_id: not an enhancement model", {
        details: [{ field: "enhancer_model_id", message: "not an active enhancement model" }],
      });
    }
    return { model: primary };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === "BAD_REQUEST") {
      throw renameField(err, { model_id: "enhancer_model_id" });
    }
    // UNAVAILABLE: no enhancer configured, or its provider has no key. Generation goes on.
    deps.log.warn("enhancer unavailable", { reason: err.message });
    return { reason: modelId ? "missing_key" : "no_enhancer" };
  }
}

/** One completion, with its usage row and the model's health recorded. */
async function complete(
  deps: EnhanceDeps,
  model: ResolvedModel,
  req: EnhanceRequest,
  systemPrompt: string,
  tokenLimit: number,
): Promise<{ result: ChatResult } | { reason: FallbackReason }> {
  const defaults = model.model.input_defaults as { temperature?: number; max_tokens?: number };
  const temperature = Math.min(1.3, (defaults.temperature ?? 0.5) + (req.regenerate ? 0.4 : 0));
  const user = req.regenerate
    ? `${req.prompt}\n\n(Write a fresh version, different from an earlier one.)`
    : req.prompt;
  const ctx = {
    model,
    userId: req.userId,
    requestType: "enhancement" as const,
    started: performance.now(),
  };
  try {
    const result = await chatFor(model.provider, {
      timeoutMs: deps.timeoutMs ?? 15_000,
      appTitle: "Prompt enhancement",
    }).complete({
      model: model.model.model_key,
      messages: [{ role: "system", content: systemPrompt }, { role: "user", content: user }],
      // Room for the prompt in LLM tokens (the limit counts the generator's), never unbounded.
      maxTokens: Math.min(defaults.max_tokens ?? 1024, tokenLimit * 2),
      temperature,
      user: sha256Hex(req.userId).slice(0, 32),
    });
    const recorded = recordChatCall(deps.commits, ctx, {
      ok: true,
      usage: result.usage,
      generationId: result.generationId,
    });
    if (deps.background) deps.background(recorded);
    else await recorded;
    return { result };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    deps.log.warn("enhancer failed", { model: model.model.model_key, failure: err.failure });
    await recordChatCall(deps.commits, ctx, { ok: false, error: err }).catch((e) =>
      deps.log.error("enhancer usage row failed", { err: e })
    );
    return { reason: FAILURE_REASON[err.failure] };
  }
}

/** The registry names its fields for queue-job (`model_id`); here they are the target's or enhancer's. */
function renameField(err: unknown, names: Record<string, string>): unknown {
  if (!(err instanceof AppError) || !err.details) return err;
  const details = err.details.map((d) => ({ ...d, field: names[d.field] ?? d.field }));
  const first = details[0];
  return new AppError(err.code, first ? `Invalid ${first.field}: ${first.message}` : err.message, {
    details,
    retryAfter: err.retryAfter,
    cause: err,
  });
}
