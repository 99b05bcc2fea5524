/**
 * The bodies `POST /enhance-prompt` accepts: ours, and the reference frontend's (recognised by
 * its camelCase keys), both normalised into one request. The reference body's free-form model
 * strings (`selectedModel`, `enhancement_model`: worker names such as `qwen_instruct`) are never
 * sent to a provider: a UUID or the key of an active enhancement model picks that model, anything
 * else the default enhancer. Its `user_id` is ignored: the caller is the token's user.
 */
import { z } from "@hono/zod-openapi";
import { isUuid } from "../../shared/encoding.ts";
import {
  CONTENT_MODES,
  type ContentMode,
  MEDIA_KINDS,
  type MediaKind,
  QUALITIES,
} from "../../shared/vocabulary.ts";

const prompt = z.string().trim().min(1, "must not be empty").max(4000);

/** Our body. */
export const enhanceBodySchema = z.strictObject({
  prompt,
  modality: z.enum(MEDIA_KINDS).optional(),
  /** Alias of `modality`. */
  job_type: z.enum(MEDIA_KINDS).optional(),
  target_model_id: z.uuid().optional(),
  target_model_key: z.string().min(1).max(200).optional(),
  content_mode: z.enum(CONTENT_MODES).default("sfw"),
  enhancer_model_id: z.uuid().optional(),
  regenerate: z.boolean().default(false),
  negative_prompt: z.string().trim().max(2000).optional(),
  generation_mode: z.enum(["txt2img", "i2i"]).default("txt2img"),
}).superRefine((b, ctx) => {
  if (b.target_model_id && b.target_model_key) {
    ctx.addIssue({
      code: "custom",
      path: ["target_model_key"],
      message: "give target_model_id or target_model_key, not both",
    });
  }
  if (b.modality && b.job_type && b.modality !== b.job_type) {
    ctx.addIssue({ code: "custom", path: ["job_type"], message: "disagrees with modality" });
  }
}).openapi("EnhanceRequest");

/** The reference frontend's body; its many other fields are ignored. */
export const referenceEnhanceBodySchema = z.object({
  prompt: prompt.optional(),
  original_prompt: prompt.optional(),
  jobType: z.string().regex(/^[a-z0-9_]{1,64}$/, "unknown job type").optional(),
  job_type: z.string().regex(/^[a-z0-9_]{1,64}$/, "unknown job type").optional(),
  format: z.enum(MEDIA_KINDS).optional(),
  quality: z.enum(QUALITIES).optional(),
  contentType: z.string().max(40).optional(),
  selectedModel: z.string().max(200).optional(),
  enhancement_model: z.string().max(200).optional(),
  model_id: z.uuid().optional(),
  regeneration: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
}).loose().refine((b) => b.prompt !== undefined || b.original_prompt !== undefined, {
  path: ["prompt"],
  message: "Prompt is required and must be a string",
}).openapi("ReferenceEnhanceRequest");

/** Keys only the reference body has: any of them means the body is the reference frontend's. */
const REFERENCE_KEYS = [
  "jobType",
  "format",
  "quality",
  "contentType",
  "selectedModel",
  "enhancement_model",
  "model_id",
  "regeneration",
  "selectedPresets",
  "user_id",
  "original_prompt",
  "metadata",
  "contentRating",
  "chatModel",
];

/** Whether a body is the reference frontend's. */
export function isReferenceBody(body: Record<string, unknown>): boolean {
  return REFERENCE_KEYS.some((k) => Object.hasOwn(body, k));
}

/** A request in our terms, before the server decides anything. */
export interface EnhanceInput {
  prompt: string;
  modality: MediaKind;
  targetModelId?: string;
  targetModelKey?: string;
  legacyJobType?: string;
  contentMode: ContentMode;
  enhancerModelId?: string;
  /** A reference body's enhancer string that is not a UUID: matched against model keys. */
  enhancerModelKey?: string;
  regenerate: boolean;
  negativePrompt?: string;
  generationMode: "txt2img" | "i2i";
  /** Echoed in the reference answer. */
  jobType?: string;
  quality?: string;
}

/** Normalises our body. */
export function inputFromBody(b: z.infer<typeof enhanceBodySchema>): EnhanceInput {
  return {
    prompt: b.prompt,
    modality: b.modality ?? b.job_type ?? "image",
    targetModelId: b.target_model_id,
    targetModelKey: b.target_model_key,
    contentMode: b.content_mode,
    enhancerModelId: b.enhancer_model_id,
    regenerate: b.regenerate,
    negativePrompt: b.negative_prompt || undefined,
    generationMode: b.generation_mode,
  };
}

/** Normalises the reference body. */
export function inputFromReference(b: z.infer<typeof referenceEnhanceBodySchema>): EnhanceInput {
  const jobType = b.jobType ?? b.job_type;
  const modality = b.format ?? (jobType?.includes("video") ? "video" : "image");
  // Plain `image`/`video` name no model; anything else is a reference job type.
  const legacyJobType = jobType && !["image", "video"].includes(jobType) ? jobType : undefined;
  const enhancer = b.enhancement_model ?? b.selectedModel;
  const meta = b.metadata ?? {};
  return {
    prompt: (b.prompt ?? b.original_prompt)!,
    modality,
    targetModelId: b.model_id,
    legacyJobType: b.model_id ? undefined : legacyJobType,
    contentMode: b.contentType === "nsfw" ? "nsfw" : "sfw",
    enhancerModelId: enhancer && isUuid(enhancer) ? enhancer : undefined,
    enhancerModelKey: enhancer && !isUuid(enhancer) ? enhancer : undefined,
    regenerate: b.regeneration === true,
    generationMode: meta.reference_mode === "modify" ? "i2i" : "txt2img",
    jobType: jobType ?? modality,
    quality: b.quality,
  };
}
