/**
 * Creating a job: decide the content mode on the server, check the reference and project
 * belong to the caller, resolve and price the model, then charge and insert in one SQL call.
 */
import { asService, asUser, type Claims } from "../db/scopes.ts";
import * as jobs from "../db/tables/jobs.ts";
import * as profiles from "../db/tables/profiles.ts";
import { AppError } from "../errors.ts";
import { type MediaCapabilities, priceCredits } from "../providers/capabilities.ts";
import { mapInputs } from "../providers/map_inputs.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import type { JobDeps } from "./job_deps.ts";
import type { JobSpec } from "./job_request.ts";
import { planPrompt, type PromptPlan, typedPlan } from "./job_enhancement.ts";
import { checkReference } from "./reference_image.ts";
import { requestHash } from "./request_hash.ts";

/** The result of {@link enqueueJob}. */
export interface EnqueueResult {
  /** The created (or replayed) job, as stored. */
  job: jobs.Job;
  replayed: boolean;
  balance: number;
  model: ResolvedModel;
}

/** The caller a job is created for. */
export interface JobCaller {
  userId: string;
  claims: Claims;
}

const field = (name: string, message: string, code: "BAD_REQUEST" | "FORBIDDEN" = "BAD_REQUEST") =>
  new AppError(code, `Invalid ${name}: ${message}`, { details: [{ field: name, message }] });

/** Validates, prices and stores a job for the caller. */
export async function enqueueJob(
  deps: JobDeps,
  caller: JobCaller,
  spec: JobSpec,
  idempotencyKey?: string,
): Promise<EnqueueResult> {
  await checkCaller(deps, caller, spec);
  const { primary } = await deps.registry.resolve({
    modality: spec.modality,
    modelId: spec.modelId,
    modelKey: spec.modelKey,
    legacyJobType: spec.legacyJobType,
  });
  checkAgainstModel(primary.capabilities!, spec);
  const referencePath = spec.reference
    ? await checkReference(spec.reference, {
      userId: caller.userId,
      store: deps.store,
      storageOrigin: deps.storageOrigin,
      providerHosts: primary.provider.allowedOutputHosts,
    })
    : undefined;
  // The seed is drawn once: the job may be described twice (as typed, then enhanced).
  const seed = primary.capabilities!.supports_seed ? spec.seed ?? deps.random() : undefined;
  let priced = priceAndDescribe(spec, primary, referencePath, typedPlan(spec), seed);
  if (spec.enhance) {
    // A charge expected to be refused or replayed spends no enhancement. enqueue_job decides
    // under its lock: should it create the job after all (a balance topped up meanwhile), the job
    // says why its prompt is the typed one.
    const plan = await chargeWouldProceed(deps, caller, priced.cost, spec, idempotencyKey)
      ? await planPrompt(deps, caller.userId, spec, primary)
      : { ...typedPlan(spec), enhancement_strategy: "skipped_precheck" };
    priced = priceAndDescribe(spec, primary, referencePath, plan, seed);
  }
  return await charge(deps, caller, primary, { ...priced, spec, idempotencyKey });
}

/**
 * Whether the charge would go ahead, asked before a paid enhancement: a replay, a reused key, a
 * full queue or a small balance is answered by the charge below without enhancing anything.
 */
async function chargeWouldProceed(
  deps: JobDeps,
  caller: JobCaller,
  cost: number,
  spec: JobSpec,
  idempotencyKey: string | undefined,
): Promise<boolean> {
  // Service path: the same rows enqueue_job reads for this user (balance, queue, keys).
  const [row] = await asService(deps.db, (tx) =>
    jobs.enqueuePrecheck(tx, {
      userId: caller.userId,
      cost,
      idempotencyKey,
      requestHash: idempotencyKey ? requestHash(spec) : null,
    }));
  return row.outcome === "proceed";
}

/** NSFW only for an age-verified user or an admin who asked for it; projects only their own. */
async function checkCaller(deps: JobDeps, caller: JobCaller, spec: JobSpec): Promise<void> {
  if (spec.contentMode === "nsfw") {
    // Read under the caller's RLS; only nsfw needs it (enqueue_job itself refuses a user
    // without a profile).
    const [standing] = await asUser(deps.db, caller.claims, (tx) => profiles.callerStanding(tx));
    if (!standing) throw new AppError("FORBIDDEN", "No profile for this user");
    if (!standing.age_verified && !standing.admin) {
      throw field("content_mode", "nsfw needs an age-verified account", "FORBIDDEN");
    }
  }
  if (spec.projectId) {
    const projectId = spec.projectId;
    const rows = await asUser(deps.db, caller.claims, (tx) => profiles.ownProject(tx, projectId));
    if (rows.length === 0) throw field("project_id", "no such project of yours");
  }
}

/** What the chosen model can do, against what was asked for. */
function checkAgainstModel(caps: MediaCapabilities, spec: JobSpec): void {
  if (spec.numOutputs > caps.max_outputs) {
    throw field("num_images", `this model makes at most ${caps.max_outputs}`);
  }
  if (spec.aspectRatio && !caps.aspect_ratios[spec.aspectRatio]) {
    throw field(
      "aspect_ratio",
      `this model supports ${Object.keys(caps.aspect_ratios).join(", ")}`,
    );
  }
  if (
    spec.width &&
    ((caps.max_width && spec.width > caps.max_width) ||
      (caps.max_height && spec.height! > caps.max_height))
  ) {
    throw field("width", `this model's largest size is ${caps.max_width}x${caps.max_height}`);
  }
  if (spec.negativePrompt && !caps.supports_negative_prompt) {
    throw field("negative_prompt", "this model takes none");
  }
  if (spec.reference && !caps.supports_reference) {
    throw field("reference_image", "this model takes no reference image");
  }
}

/** The job row to insert and its price, locked now (the seed chosen by the server, if any). */
function priceAndDescribe(
  spec: JobSpec,
  model: ResolvedModel,
  referencePath: string | undefined,
  plan: PromptPlan,
  seed: number | undefined,
) {
  const caps = model.capabilities!;
  const mapped = mapInputs(caps, model.model.input_defaults, {
    prompt: plan.prompt,
    quality: spec.quality,
    contentMode: spec.contentMode,
    numOutputs: spec.numOutputs,
    aspectRatio: spec.aspectRatio,
    width: spec.width,
    height: spec.height,
    seed,
    negativePrompt: plan.negative_prompt ?? undefined,
    durationSeconds: spec.durationSeconds,
  }, () => seed ?? 0);
  const cost = priceCredits(model.pricing!, {
    quality: spec.quality,
    outputs: mapped.numOutputs,
    durationSeconds: mapped.durationSeconds,
  });
  const job = {
    modality: spec.modality,
    quality: spec.quality,
    content_mode: spec.contentMode,
    destination: spec.destination,
    api_model_id: model.model.id,
    job_type: spec.legacyJobType ?? null,
    ...plan,
    num_outputs: mapped.numOutputs,
    seed: mapped.seed,
    width: mapped.width ?? null,
    height: mapped.height ?? null,
    aspect_ratio: spec.aspectRatio ?? null,
    duration_seconds: mapped.durationSeconds ?? null,
    reference_image_path: referencePath ?? null,
    project_id: spec.projectId ?? null,
    metadata: {
      ...clientMetadata(spec.metadata),
      // Only the validated field: the submission reads this key (prompt strength).
      ...(spec.referenceStrength !== undefined
        ? { reference_strength: spec.referenceStrength }
        : {}),
    },
  };
  return { job, cost };
}

/** Charges and inserts in one SQL call, and turns its outcome into the answer or an error. */
async function charge(
  deps: JobDeps,
  caller: JobCaller,
  model: ResolvedModel,
  req: { job: Record<string, unknown>; cost: number; spec: JobSpec; idempotencyKey?: string },
): Promise<EnqueueResult> {
  const hash = req.idempotencyKey ? requestHash(req.spec) : null;
  // Service path: users cannot insert jobs or move credits; enqueue_job does both atomically
  // for the user this request authenticated, at the price computed above. Concurrent charges
  // share a group transaction, each still all-or-nothing (a refused one reruns alone), taking
  // their profile locks in user order.
  const [[row]] = await deps.commits.run((tx) =>
    [
      jobs.enqueue(tx, {
        userId: caller.userId,
        job: req.job,
        cost: req.cost,
        idempotencyKey: req.idempotencyKey,
        requestHash: hash,
      }),
    ] as const, { lockKey: caller.userId }).catch((err) => {
      // P0002: enqueue_job found no profile for the user (a token for a deleted account).
      if ((err as { code?: string }).code === "P0002") {
        throw new AppError("FORBIDDEN", "No profile for this user");
      }
      throw err;
    });
  switch (row.outcome) {
    case "created":
    case "replayed":
      return {
        job: row.job!,
        replayed: row.outcome === "replayed",
        balance: row.balance,
        model,
      };
    case "idempotency_conflict":
      throw new AppError("CONFLICT", "This Idempotency-Key was used with a different request");
    case "too_many_active":
      throw new AppError(
        "RATE_LIMITED",
        "Too many jobs queued or running; wait for some to finish",
        { retryAfter: 10 },
      );
    case "insufficient_credits":
      throw new AppError(
        "INSUFFICIENT_CREDITS",
        `This job costs ${req.cost} credits; the balance is ${row.balance}`,
      );
  }
}

/** Keys of `metadata` the backend acts on: a client's value for one is dropped, not stored. */
const RESERVED_METADATA_KEYS = ["reference_strength"];

/** The client's metadata, stored and returned but never acted on. */
function clientMetadata(metadata: JobSpec["metadata"]): Record<string, unknown> {
  if (!metadata) return {};
  const out: Record<string, unknown> = { ...metadata };
  for (const key of RESERVED_METADATA_KEYS) delete out[key];
  return out;
}
