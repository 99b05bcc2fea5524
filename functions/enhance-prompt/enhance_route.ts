/**
 * `POST /enhance-prompt`: a prompt improved for its target model from the database's templates,
 * by the registry's enhancer model; our body or the reference frontend's (answered in its shape).
 * A broken enhancer answers 200 with the original prompt and the reason; the caller's generation
 * never waits on enhancement.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as profiles from "../../shared/db/tables/profiles.ts";
import { AppError } from "../../shared/errors.ts";
import { requireUser, userCaller } from "../../shared/http/auth/guards.ts";
import { type FunctionApp, parseOr400 } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { enhancePrompt, type EnhanceResult } from "../../shared/prompts/enhance.ts";
import { enforceUserRateLimit } from "../../shared/prompts/user_rate_limit.ts";
import type { EnhancePromptDeps } from "./app.ts";
import {
  enhanceBodySchema,
  type EnhanceInput,
  inputFromBody,
  inputFromReference,
  isReferenceBody,
  referenceEnhanceBodySchema,
} from "./enhance_body.ts";

/** Enhancements per user per minute unless system_config sets `enhance_requests_per_minute`. */
const DEFAULT_PER_MINUTE = 30;

const resultSchema = z.object({
  original_prompt: z.string(),
  enhanced_prompt: z.string(),
  negative_prompt: z.string().nullable(),
  template: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }).nullable(),
  strategy: z.enum(["llm_template", "fallback_original", "no_template"]),
  model_used: z.string().nullable(),
  metadata: z.object({
    expansion_percentage: z.number(),
    token_count: z.number().int(),
    token_limit: z.number().int().nullable(),
    execution_time_ms: z.number().int(),
    cache_hit: z.boolean(),
    fallback: z.string().nullable(),
    template_level: z.enum(["exact", "family", "universal"]).nullable(),
  }),
}).openapi("EnhanceResult");

const referenceResultSchema = z.object({
  success: z.literal(true),
  original_prompt: z.string(),
  enhanced_prompt: z.string(),
  enhancement_strategy: z.string(),
  enhancement_metadata: z.looseObject({}),
}).openapi("ReferenceEnhanceResult");

const route = createRoute({
  method: "post",
  path: "/",
  summary: "Enhance a generation prompt (our body, or the reference frontend's)",
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          // Validated in the handler: the body's keys decide which schema applies.
          schema: z.looseObject({}).openapi({
            description: "EnhanceRequest, or ReferenceEnhanceRequest when it has jobType & co.",
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "The enhanced prompt (or the original, with the reason)",
      content: { "application/json": { schema: z.union([resultSchema, referenceResultSchema]) } },
    },
    ...errorResponses(400, 401, 403, 413, 429, 503),
  },
});

/** Registers the route. */
export function registerEnhance(app: FunctionApp, deps: EnhancePromptDeps): void {
  app.openAPIRegistry.register("EnhanceRequest", enhanceBodySchema);
  app.openAPIRegistry.register("ReferenceEnhanceRequest", referenceEnhanceBodySchema);
  app.use("/", requireUser(deps.auth));
  app.openapi(route, async (c) => {
    const caller = userCaller(c);
    const raw = c.req.valid("json") as Record<string, unknown>;
    const reference = isReferenceBody(raw);
    const input = reference
      ? inputFromReference(parseOr400(referenceEnhanceBodySchema, raw))
      : inputFromBody(parseOr400(enhanceBodySchema, raw));
    c.set("audit", { action: "prompt.enhance", resourceType: "prompt" });

    if (input.contentMode === "nsfw") {
      // Read under the caller's RLS.
      const [standing] = await asUser(deps.db, caller.claims, (tx) => profiles.callerStanding(tx));
      if (!standing?.age_verified && !standing?.admin) {
        throw new AppError(
          "FORBIDDEN",
          "Invalid content_mode: nsfw needs an age-verified account",
          {
            details: [{ field: "content_mode", message: "nsfw needs an age-verified account" }],
          },
        );
      }
    }
    const result = await enhancePrompt(deps.enhance, {
      userId: caller.userId,
      prompt: input.prompt,
      modality: input.modality,
      targetModelId: input.targetModelId,
      targetModelKey: input.targetModelKey,
      legacyJobType: input.legacyJobType,
      contentMode: input.contentMode,
      enhancerModelId: input.enhancerModelId ?? await enhancerByKey(deps, input),
      regenerate: input.regenerate,
      negativePrompt: input.negativePrompt,
      generationMode: input.generationMode,
    }, enforceUserRateLimit(deps.db, caller.userId, "enhance", DEFAULT_PER_MINUTE));
    if (reference) return c.json(referenceAnswer(result, input), 200);
    const { target_model: _target, ...answer } = result;
    return c.json(answer, 200);
  });
}

/**
 * A reference body's enhancer string picks a model only when it is the key of an active
 * enhancement model; worker names like `qwen_instruct` fall to the default enhancer.
 */
async function enhancerByKey(deps: EnhancePromptDeps, input: EnhanceInput) {
  if (!input.enhancerModelKey) return undefined;
  const match = await deps.enhance.registry.resolve({
    modality: "chat",
    task: "enhancement",
    modelKey: input.enhancerModelKey,
  }).catch(() => undefined);
  return match?.primary.model.task === "enhancement" ? match.primary.model.id : undefined;
}

/** The reference system's answer shape. */
function referenceAnswer(r: EnhanceResult, input: EnhanceInput) {
  return {
    success: true as const,
    original_prompt: r.original_prompt,
    enhanced_prompt: r.enhanced_prompt,
    enhancement_strategy: r.strategy,
    enhancement_metadata: {
      original_length: r.original_prompt.length,
      enhanced_length: r.enhanced_prompt.length,
      expansion_percentage: r.metadata.expansion_percentage,
      job_type: input.jobType ?? input.modality,
      format: input.modality,
      quality: input.quality ?? "fast",
      content_mode: input.contentMode,
      template_name: r.template?.name ?? null,
      model_used: r.model_used,
      token_count: r.metadata.token_count,
      execution_time_ms: r.metadata.execution_time_ms,
      cache_hit: r.metadata.cache_hit,
    },
  };
}
