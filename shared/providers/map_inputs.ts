/**
 * Builds the provider input for a generation request: the model's `input_defaults`, then the
 * quality preset, then the request mapped through the capabilities' key map, clamped to the
 * ranges, with every key the model does not accept dropped.
 */
import type { MediaCapabilities } from "./capabilities.ts";
import { type ContentMode, type Quality } from "../vocabulary.ts";

/** A generation request in our terms (already validated at the HTTP boundary). */
export interface GenerationRequest {
  prompt: string;
  quality: Quality;
  contentMode: ContentMode;
  numOutputs: number;
  aspectRatio?: string;
  width?: number;
  height?: number;
  seed?: number;
  negativePrompt?: string;
  /** A URL the provider can fetch (already checked and signed by the caller). */
  referenceUrl?: string;
  /** 0–1: how strongly the output follows the reference. */
  referenceStrength?: number;
  durationSeconds?: number;
  steps?: number;
  guidance?: number;
}

/** The provider input and what was actually chosen (recorded on the job). */
export interface MappedInput {
  input: Record<string, unknown>;
  width?: number;
  height?: number;
  seed: number | null;
  numOutputs: number;
  durationSeconds?: number;
}

const clamp = (value: number, r?: { min: number; max: number }) =>
  r ? Math.min(r.max, Math.max(r.min, value)) : value;

/** Picks width/height: explicit (bounded by the model) or from the aspect ratio table. */
export function resolveSize(
  caps: MediaCapabilities,
  req: GenerationRequest,
): { width: number; height: number } {
  const preset = caps.aspect_ratios[req.aspectRatio ?? ""] ?? caps.aspect_ratios["1:1"] ??
    Object.values(caps.aspect_ratios)[0];
  const snap = (v: number, max?: number) =>
    Math.max(64, Math.min(max ?? 8192, Math.round(v / 8) * 8));
  if (req.width && req.height) {
    return { width: snap(req.width, caps.max_width), height: snap(req.height, caps.max_height) };
  }
  return preset;
}

/** Maps a request to provider input. `randomSeed` is injected so tests are deterministic. */
export function mapInputs(
  caps: MediaCapabilities,
  defaults: Record<string, unknown>,
  req: GenerationRequest,
  randomSeed: () => number,
): MappedInput {
  const out: Record<string, unknown> = { ...defaults, ...caps.quality_presets[req.quality] };
  const set = (field: keyof MediaCapabilities["key_map"], value: unknown) => {
    const key = caps.key_map[field];
    if (key && value !== undefined) out[key] = value;
  };
  out.prompt = req.prompt;
  const numOutputs = Math.min(req.numOutputs, caps.max_outputs);
  set("num_outputs", numOutputs);
  set("steps", req.steps);
  set("guidance", req.guidance);
  if (caps.supports_negative_prompt) set("negative_prompt", req.negativePrompt);

  let width: number | undefined;
  let height: number | undefined;
  if (caps.size_mode === "dimensions") {
    ({ width, height } = resolveSize(caps, req));
    set("width", width);
    set("height", height);
  } else {
    const ratio = req.aspectRatio && caps.aspect_ratios[req.aspectRatio]
      ? req.aspectRatio
      : Object.keys(caps.aspect_ratios)[0];
    set("aspect_ratio", ratio);
    ({ width, height } = caps.aspect_ratios[ratio]);
  }

  // The server chooses the seed and sends it only when the model takes one; never invented.
  let seed: number | null = null;
  if (caps.supports_seed && caps.key_map.seed) {
    seed = req.seed ?? randomSeed();
    set("seed", seed);
  }
  if (req.referenceUrl && caps.supports_reference) {
    set("image", req.referenceUrl);
    if (req.referenceStrength !== undefined) {
      // Providers take "prompt strength" (how far to move away from the image).
      set("strength", 1 - req.referenceStrength);
    }
  }
  let durationSeconds: number | undefined;
  if (caps.video) {
    const wanted = req.durationSeconds ?? caps.video.default_duration;
    durationSeconds = caps.video.durations.reduce((best, d) =>
      Math.abs(d - wanted) < Math.abs(best - wanted) ? d : best
    );
    out[caps.video.duration_key] = durationSeconds;
  }

  for (const [key, r] of Object.entries(caps.ranges)) {
    if (typeof out[key] === "number") out[key] = clamp(out[key] as number, r);
  }
  if (caps.safety_checker_key) {
    // Only an NSFW job (decided server-side) may turn the checker off; SFW always keeps it on.
    out[caps.safety_checker_key] = req.contentMode === "nsfw";
  }
  const allowed = new Set([...caps.input_keys, ...(caps.video ? [caps.video.duration_key] : [])]);
  const input = Object.fromEntries(
    Object.entries(out).filter(([k, v]) => allowed.has(k) && v !== undefined),
  );
  return { input, width, height, seed, numOutputs, durationSeconds };
}
