/**
 * Typed shapes of `api_models.capabilities`, `api_models.pricing` and
 * `api_providers.rate_limits`. Rows are parsed when the registry loads them, so a malformed
 * row is reported at resolve time, never at provider call time.
 */
import { z } from "zod";
import { type Quality } from "../vocabulary.ts";

const range = z.object({ min: z.number(), max: z.number() }).refine((r) => r.min <= r.max, {
  message: "min must not exceed max",
});
const size = z.object({
  width: z.number().int().min(64).max(8192),
  height: z.number().int().min(64).max(8192),
});
const inputKey = z.string().regex(/^[A-Za-z0-9_]{1,64}$/);

/** The request fields a capability set maps to provider input keys. */
export const MAPPABLE_FIELDS = [
  "steps",
  "guidance",
  "seed",
  "num_outputs",
  "negative_prompt",
  "width",
  "height",
  "aspect_ratio",
  "image",
  "strength",
  "duration",
] as const;

/** Video-specific capabilities. */
export const videoCapabilitiesSchema = z.object({
  duration_key: inputKey,
  durations: z.array(z.number().int().min(1).max(600)).min(1),
  default_duration: z.number().int().min(1).max(600),
  fps: z.number().int().min(1).max(120).optional(),
}).refine((v) => v.durations.includes(v.default_duration), {
  message: "default_duration must be one of durations",
  path: ["default_duration"],
});

/** Capabilities of an image or video generation model. */
export const mediaCapabilitiesSchema = z.object({
  /** Provider input keys the model accepts; anything else is dropped. */
  input_keys: z.array(inputKey).min(1),
  /** Our request field → provider input key (null: the model has no such input). */
  key_map: z.partialRecord(z.enum(MAPPABLE_FIELDS), inputKey.nullable()),
  /** Inclusive bounds per provider input key; values are clamped into them. */
  ranges: z.record(inputKey, range).default({}),
  /** Whether size is sent as width/height or as an aspect ratio string. */
  size_mode: z.enum(["dimensions", "aspect_ratio"]),
  aspect_ratios: z.record(z.string().regex(/^\d{1,2}:\d{1,2}$/), size).refine(
    (m) => Object.keys(m).length > 0,
    {
      message: "at least one aspect ratio is required",
    },
  ),
  max_outputs: z.number().int().min(1).max(16),
  max_width: z.number().int().min(64).max(8192).optional(),
  max_height: z.number().int().min(64).max(8192).optional(),
  supports_negative_prompt: z.boolean(),
  supports_reference: z.boolean(),
  supports_seed: z.boolean(),
  /** Input key that disables the provider's safety checker (never set for SFW content). */
  safety_checker_key: inputKey.nullable().default(null),
  /** Inputs applied for each quality preset. */
  quality_presets: z.object({
    fast: z.record(inputKey, z.unknown()).default({}),
    high: z.record(inputKey, z.unknown()).default({}),
  }),
  /** The reference frontend's job_type values this model serves. */
  legacy_job_types: z.array(z.string().max(100)).default([]),
  video: videoCapabilitiesSchema.nullable().default(null),
}).superRefine((caps, ctx) => {
  for (const [field, key] of Object.entries(caps.key_map)) {
    if (key && !caps.input_keys.includes(key)) {
      ctx.addIssue({
        code: "custom",
        path: ["key_map", field],
        message: `maps to "${key}", which is not in input_keys`,
      });
    }
  }
  if (caps.size_mode === "aspect_ratio" && !caps.key_map.aspect_ratio) {
    ctx.addIssue({
      code: "custom",
      path: ["key_map", "aspect_ratio"],
      message: "required when size_mode is aspect_ratio",
    });
  }
});

/** Parsed media capabilities. */
export type MediaCapabilities = z.infer<typeof mediaCapabilitiesSchema>;

const creditsByQuality = z.object({ fast: z.number().int().min(0), high: z.number().int().min(0) });

/** Credits a model costs: per output image, or per second of video. */
export const pricingSchema = z.union([
  z.object({ per_output: creditsByQuality }).strict(),
  z.object({ per_second: creditsByQuality }).strict(),
]);

/** Parsed pricing. */
export type Pricing = z.infer<typeof pricingSchema>;

/** Provider rate limits. */
export const rateLimitsSchema = z.object({
  requests_per_minute: z.number().int().min(1).max(100_000).optional(),
}).loose();

/** Parsed rate limits. */
export type RateLimits = z.infer<typeof rateLimitsSchema>;

/** Credits for a job: outputs × per-output price, or seconds × per-second price. */
export function priceCredits(
  pricing: Pricing,
  job: { quality: Quality; outputs: number; durationSeconds?: number },
): number {
  if ("per_output" in pricing) return pricing.per_output[job.quality] * job.outputs;
  return pricing.per_second[job.quality] * (job.durationSeconds ?? 0);
}
