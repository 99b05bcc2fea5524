/**
 * Enhancement at enqueue (`enhance: true`): the same code as `POST /enhance-prompt`, run in this
 * process before the charge, so the job is priced and stored with the prompt it will send. It
 * never fails the job: over the user's enhancement budget, or with a broken enhancer, the job
 * keeps the prompt as typed and records why.
 */
import { asService } from "../db/scopes.ts";
import { takeSlot } from "../db/tables/user_rate_windows.ts";
import { enhancePrompt } from "../prompts/enhance.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import type { JobDeps } from "./job_deps.ts";
import type { JobSpec } from "./job_request.ts";

/** What the job stores about its prompt. */
export interface PromptPlan {
  prompt: string;
  original_prompt: string;
  enhanced_prompt: string | null;
  negative_prompt: string | null;
  enhancement_strategy: string | null;
  template_name: string | null;
  enhancement_time_ms: number | null;
  qwen_expansion_percentage: number | null;
}

/** Enhancements per user per minute unless system_config sets `enhance_requests_per_minute`. */
export const DEFAULT_ENHANCE_PER_MINUTE = 30;

/** The prompt as the client sent it (typed, or enhanced on the client). */
export function typedPlan(spec: JobSpec): PromptPlan {
  return {
    prompt: spec.clientEnhancedPrompt ?? spec.prompt,
    original_prompt: spec.prompt,
    enhanced_prompt: spec.clientEnhancedPrompt ?? null,
    negative_prompt: spec.negativePrompt ?? null,
    enhancement_strategy: spec.clientEnhancedPrompt ? "client_enhanced" : null,
    template_name: null,
    enhancement_time_ms: null,
    qwen_expansion_percentage: null,
  };
}

/** The prompt a job is created with. */
export async function planPrompt(
  deps: JobDeps,
  userId: string,
  spec: JobSpec,
  model: ResolvedModel,
): Promise<PromptPlan> {
  const typed = typedPlan(spec);
  if (!spec.enhance) return typed;
  try {
    // Service path: the user's shared enhancement budget (the counters are runtime state).
    const [slot] = await asService(
      deps.db,
      (tx) => takeSlot(tx, userId, "enhance", DEFAULT_ENHANCE_PER_MINUTE),
    );
    if (slot.wait_ms > 0) return { ...typed, enhancement_strategy: "skipped_rate_limited" };
    const r = await enhancePrompt(deps, {
      userId,
      prompt: spec.prompt,
      modality: spec.modality,
      targetModelId: model.model.id,
      contentMode: spec.contentMode,
      negativePrompt: spec.negativePrompt,
      generationMode: spec.reference ? "i2i" : "txt2img",
    });
    return {
      prompt: r.enhanced_prompt,
      original_prompt: spec.prompt,
      enhanced_prompt: r.strategy === "llm_template" ? r.enhanced_prompt : null,
      // Only models that take one get a negative prompt (the enhancer assembles it per family).
      negative_prompt: model.capabilities?.supports_negative_prompt
        ? r.negative_prompt ?? typed.negative_prompt
        : typed.negative_prompt,
      enhancement_strategy: r.metadata.fallback
        ? `${r.strategy}:${r.metadata.fallback}`.slice(0, 50)
        : r.strategy,
      template_name: r.template?.name ?? null,
      enhancement_time_ms: r.metadata.execution_time_ms,
      qwen_expansion_percentage: Math.max(-99999, Math.min(99999, r.metadata.expansion_percentage)),
    };
  } catch (err) {
    deps.log.warn("enhancement at enqueue failed; the prompt is kept", { err });
    return { ...typed, enhancement_strategy: "fallback_original:error" };
  }
}
