/**
 * Capabilities for the models tests and benchmarks create on the simulated providers: objects
 * that pass `shared/providers/capabilities.ts`'s schema, shaped like a Replicate image model
 * (explicit width and height) and a video model (aspect ratio and duration). Test data only;
 * real models take theirs from their `api_models` row.
 */

/** Valid image capabilities; override any field. */
export function imageCapabilities(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    input_keys: [
      "prompt",
      "negative_prompt",
      "width",
      "height",
      "num_outputs",
      "num_inference_steps",
      "guidance_scale",
      "seed",
      "image",
      "prompt_strength",
      "disable_safety_checker",
    ],
    key_map: {
      steps: "num_inference_steps",
      guidance: "guidance_scale",
      seed: "seed",
      num_outputs: "num_outputs",
      negative_prompt: "negative_prompt",
      width: "width",
      height: "height",
      aspect_ratio: null,
      image: "image",
      strength: "prompt_strength",
    },
    ranges: {
      num_inference_steps: { min: 1, max: 50 },
      guidance_scale: { min: 0, max: 20 },
      prompt_strength: { min: 0, max: 1 },
    },
    size_mode: "dimensions",
    aspect_ratios: {
      "1:1": { width: 1024, height: 1024 },
      "16:9": { width: 1344, height: 768 },
      "9:16": { width: 768, height: 1344 },
    },
    max_outputs: 4,
    max_width: 1536,
    max_height: 1536,
    supports_negative_prompt: true,
    supports_reference: true,
    supports_seed: true,
    safety_checker_key: "disable_safety_checker",
    quality_presets: { fast: { num_inference_steps: 20 }, high: { num_inference_steps: 40 } },
    legacy_job_types: [],
    video: null,
    ...overrides,
  };
}

/** Valid video capabilities. */
export function videoCapabilities(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return imageCapabilities({
    input_keys: ["prompt", "aspect_ratio", "seed", "image"],
    key_map: { seed: "seed", aspect_ratio: "aspect_ratio", image: "image" },
    ranges: {},
    size_mode: "aspect_ratio",
    max_outputs: 1,
    supports_negative_prompt: false,
    safety_checker_key: null,
    quality_presets: { fast: {}, high: {} },
    video: { duration_key: "duration", durations: [5, 10], default_duration: 5, fps: 24 },
    ...overrides,
  });
}
