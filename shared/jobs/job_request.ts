/**
 * The bodies `POST /queue-job` accepts: ours, and the reference frontend's `JobRequest`
 * (recognised by `job_type`), both normalised into one {@link JobSpec}.
 */
import { z } from "@hono/zod-openapi";
import {
  CONTENT_MODES,
  type ContentMode,
  DESTINATIONS,
  MEDIA_KINDS,
  type MediaKind,
  QUALITIES,
  type Quality,
  REFERENCE_BUCKETS,
} from "../vocabulary.ts";

const METADATA_MAX_BYTES = 8192;
const metadataSchema = z.record(z.string(), z.unknown()).refine(
  (m) => new TextEncoder().encode(JSON.stringify(m)).length <= METADATA_MAX_BYTES,
  { message: `must be at most ${METADATA_MAX_BYTES} bytes of JSON` },
);
const prompt = z.string().trim().min(1, "must not be empty").max(4000);
const storageRef = z.strictObject({
  bucket: z.string().min(1).max(100),
  path: z.string().min(1).max(1024),
});

/** Our request body. */
export const createJobBodySchema = z.strictObject({
  prompt,
  modality: z.enum(MEDIA_KINDS).default("image"),
  quality: z.enum(QUALITIES).default("fast"),
  model_id: z.uuid().optional(),
  model_key: z.string().min(1).max(200).optional(),
  num_images: z.number().int().min(1).max(4).default(1),
  aspect_ratio: z.string().regex(/^\d{1,2}:\d{1,2}$/, "must look like 16:9").optional(),
  width: z.number().int().min(64).max(4096).optional(),
  height: z.number().int().min(64).max(4096).optional(),
  duration_seconds: z.number().int().min(1).max(60).optional(),
  seed: z.number().int().min(0).max(4294967295).optional(),
  negative_prompt: z.string().trim().max(2000).optional(),
  reference_image: z.union([
    storageRef,
    // http is let through here only so our own Storage origin can be named when it is http
    // (local stacks); reference_image.ts holds every other URL to https.
    z.url({ protocol: /^https?$/, error: "must be an https URL or {bucket, path}" }),
  ])
    .optional(),
  reference_strength: z.number().min(0).max(1).optional(),
  content_mode: z.enum(CONTENT_MODES).default("sfw"),
  project_id: z.uuid().optional(),
  destination: z.enum(DESTINATIONS).default("workspace"),
  metadata: metadataSchema.optional(),
  /** Improve the prompt with the enhancer before the charge (a failure keeps the prompt). */
  enhance: z.boolean().default(false),
}).superRefine((b, ctx) => {
  if (b.model_id && b.model_key) {
    ctx.addIssue({
      code: "custom",
      path: ["model_key"],
      message: "give model_id or model_key, not both",
    });
  }
  if ((b.width === undefined) !== (b.height === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [b.width === undefined ? "width" : "height"],
      message: "width and height go together",
    });
  }
  if (b.width !== undefined && b.aspect_ratio) {
    ctx.addIssue({
      code: "custom",
      path: ["aspect_ratio"],
      message: "give aspect_ratio or width/height, not both",
    });
  }
  if (b.reference_strength !== undefined && !b.reference_image) {
    ctx.addIssue({
      code: "custom",
      path: ["reference_strength"],
      message: "needs reference_image",
    });
  }
}).openapi("CreateJobRequest");

/** The reference frontend's body; unknown fields are ignored as that frontend sends many. */
export const legacyJobRequestSchema = z.object({
  job_type: z.string().regex(/^[a-z0-9_]{1,64}$/, "unknown job_type"),
  prompt,
  quality: z.enum(QUALITIES).optional(),
  format: z.enum(MEDIA_KINDS).optional(),
  seed: z.number().int().min(0).max(4294967295).optional(),
  num_images: z.number().int().min(1).max(4).optional(),
  negative_prompt: z.string().trim().max(2000).optional(),
  reference_image_url: z.string().max(2048).optional(),
  reference_strength: z.number().min(0).max(1).optional(),
  metadata: metadataSchema.optional(),
  /** Already enhanced by the frontend (it called enhance-prompt itself): sent as the prompt. */
  enhanced_prompt: z.string().trim().min(1).max(4000).optional(),
  bypass_enhancement: z.boolean().optional(),
}).loose().openapi("LegacyJobRequest");

/** A validated request in our terms. */
export interface JobSpec {
  prompt: string;
  modality: MediaKind;
  quality: Quality;
  modelId?: string;
  modelKey?: string;
  legacyJobType?: string;
  numOutputs: number;
  aspectRatio?: string;
  width?: number;
  height?: number;
  durationSeconds?: number;
  seed?: number;
  negativePrompt?: string;
  reference?: { bucket: string; path: string } | { url: string };
  referenceStrength?: number;
  /** What the caller asked for; the server decides what is honoured. */
  contentMode: ContentMode;
  projectId?: string;
  destination: "workspace" | "library";
  metadata: Record<string, unknown>;
  /** Which body shape came in, so the answer can use the same one. */
  shape: "native" | "legacy";
  /** Run the enhancer on the prompt before the charge. */
  enhance: boolean;
  /** A prompt the client already enhanced: sent instead of `prompt`, which stays the original. */
  clientEnhancedPrompt?: string;
}

/** Normalises our body. */
export function specFromBody(b: z.infer<typeof createJobBodySchema>): JobSpec {
  return {
    prompt: b.prompt,
    modality: b.modality,
    quality: b.quality,
    modelId: b.model_id,
    modelKey: b.model_key,
    numOutputs: b.num_images,
    aspectRatio: b.aspect_ratio,
    width: b.width,
    height: b.height,
    durationSeconds: b.duration_seconds,
    seed: b.seed,
    negativePrompt: b.negative_prompt || undefined,
    reference: b.reference_image === undefined
      ? undefined
      : typeof b.reference_image === "string"
      ? { url: b.reference_image }
      : b.reference_image,
    referenceStrength: b.reference_strength,
    contentMode: b.content_mode,
    projectId: b.project_id,
    destination: b.destination,
    metadata: b.metadata ?? {},
    shape: "native",
    enhance: b.enhance,
  };
}

/** Normalises the reference frontend's body (`metadata.aspect_ratio`, `metadata.contentType`, ...). */
export function specFromLegacy(b: z.infer<typeof legacyJobRequestSchema>): JobSpec {
  const meta = b.metadata ?? {};
  const str = (v: unknown) => typeof v === "string" ? v : undefined;
  const aspect = str(meta.aspect_ratio);
  const refUrl = b.reference_image_url ?? str(meta.reference_image_url);
  return {
    prompt: b.prompt,
    modality: b.format ?? (b.job_type.includes("video") ? "video" : "image"),
    quality: b.quality ?? (b.job_type.endsWith("_high") ? "high" : "fast"),
    legacyJobType: b.job_type,
    numOutputs: b.num_images ??
      (typeof meta.num_images === "number"
        ? Math.min(4, Math.max(1, Math.trunc(meta.num_images)))
        : 1),
    aspectRatio: aspect && /^\d{1,2}:\d{1,2}$/.test(aspect) ? aspect : undefined,
    seed: b.seed,
    negativePrompt: b.negative_prompt || str(meta.negative_prompt) || undefined,
    reference: refUrl ? legacyReference(refUrl) : undefined,
    referenceStrength: b.reference_strength,
    contentMode: meta.contentType === "nsfw" ? "nsfw" : "sfw",
    destination: "workspace",
    metadata: meta,
    shape: "legacy",
    // The reference queue-job enhanced only when the user asked, nothing opted out, and the
    // frontend had not enhanced the prompt itself.
    enhance: meta.user_requested_enhancement === true && meta.skip_enhancement !== true &&
      meta.enhancement_model !== "none" && b.bypass_enhancement !== true &&
      b.enhanced_prompt === undefined,
    clientEnhancedPrompt: b.enhanced_prompt,
  };
}

/** `user-library/<path>` / `workspace-temp/<path>` (how that frontend names objects) or a URL. */
function legacyReference(value: string): JobSpec["reference"] {
  const slash = value.indexOf("/");
  const bucket = value.slice(0, slash);
  return slash > 0 && (REFERENCE_BUCKETS as readonly string[]).includes(bucket)
    ? { bucket, path: value.slice(slash + 1) }
    : { url: value };
}
