/**
 * Submits one claimed (leased) job to its provider: picks the model (the job's own unless it
 * is cooling down, then the next by priority that costs no more and supports the request),
 * waits for a rate slot, maps the inputs, creates the generation and records the outcome.
 */
import { asService } from "../db/scopes.ts";
import * as apiUsage from "../db/tables/api_usage_logs.ts";
import { type Job, type JobEvent, transition as jobTransition } from "../db/tables/jobs.ts";
import * as runtime from "../db/tables/provider_runtime.ts";
import { generationFor } from "../providers/adapters.ts";
import { priceCredits, rateLimitsSchema } from "../providers/capabilities.ts";
import { mapInputs } from "../providers/map_inputs.ts";
import { ProviderError } from "../providers/provider_error.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import type { JobDeps } from "./job_deps.ts";
import { cancelAtProvider } from "./provider_cancel.ts";
import { type ContentMode, type MediaKind, type Quality } from "../vocabulary.ts";

/** What happened to a claimed job. */
export type SubmitOutcome = "submitted" | "released" | "retried" | "failed";

/** Exponential backoff with jitter: 2 s, 4 s, 8 s … capped at 5 minutes. */
export function backoffMs(attempt: number, random: () => number): number {
  const base = Math.min(300_000, 2000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.5 + (random() / 2 ** 32) * 0.5));
}

function fits(job: Job, m: ResolvedModel): boolean {
  const caps = m.capabilities;
  if (!caps || !m.pricing || m.model.modality !== job.modality) return false;
  if (
    caps.max_outputs < job.num_outputs || (job.reference_image_path && !caps.supports_reference)
  ) return false;
  const price = priceCredits(m.pricing, {
    quality: job.quality as Quality,
    outputs: job.num_outputs,
    durationSeconds: job.duration_seconds ?? undefined,
  });
  return price <= job.cost_credits;
}

/**
 * The model to use for this attempt, or undefined when none fits. The job's model gets the
 * first half of the attempts (retried with backoff); after that, or while it cools down, the
 * next model by priority that fits takes over, so a failing provider still leaves the job
 * attempts on another before it fails.
 */
export async function chooseModel(deps: JobDeps, job: Job): Promise<ResolvedModel | undefined> {
  const own = job.api_model_id ? await deps.registry.modelById(job.api_model_id) : undefined;
  const ownTurn = job.attempts < Math.ceil(job.max_attempts / 2);
  if (own && own.model.is_active && ownTurn && !await deps.registry.isCooling(own.model.id)) {
    return own;
  }
  const { primary, fallbacks } = await deps.registry.resolve({
    modality: job.modality as MediaKind,
  })
    .catch(() => ({ primary: undefined, fallbacks: [] as ResolvedModel[] }));
  for (const candidate of [primary, ...fallbacks]) {
    if (
      candidate && candidate.model.id !== own?.model.id && fits(job, candidate) &&
      !await deps.registry.isCooling(candidate.model.id)
    ) {
      return candidate;
    }
  }
  return own?.model.is_active ? own : undefined;
}

async function transition(
  deps: JobDeps,
  jobId: string,
  event: JobEvent,
  data: Record<string, unknown>,
) {
  // Service path: job state changes only through job_transition; committed with whatever
  // other lanes have ready (group commit).
  const [[row]] = await deps.commits.run((tx) => [jobTransition(tx, jobId, event, data)] as const);
  return row;
}

/** Waits for nothing: a slot of the provider's per-minute budget now, or how long until one. */
async function takeSlot(deps: JobDeps, model: ResolvedModel): Promise<number> {
  const limits = rateLimitsSchema.safeParse(model.provider.row.rate_limits);
  const perMinute = limits.success ? limits.data.requests_per_minute : undefined;
  if (!perMinute) return 0;
  // Service path: the counters are shared runtime state, not data any user owns.
  const [row] = await asService(
    deps.db,
    (tx) => runtime.takeSlot(tx, model.provider.row.id, perMinute),
  );
  return row.wait_ms;
}

async function referenceUrl(deps: JobDeps, job: Job): Promise<string | undefined> {
  const ref = job.reference_image_path;
  if (!ref) return undefined;
  if (/^https:\/\//.test(ref)) return ref;
  const slash = ref.indexOf("/");
  // Ownership was checked at enqueue (reference_image.ts); the signature is fresh for each attempt.
  return await deps.store.signedUrl(ref.slice(0, slash), ref.slice(slash + 1), 3600);
}

/** The provider input for this attempt (the reference signed afresh). */
async function prepareInput(deps: JobDeps, job: Job, model: ResolvedModel) {
  const strength = (job.metadata as Record<string, unknown> | null)?.reference_strength;
  return mapInputs(model.capabilities!, model.model.input_defaults, {
    prompt: job.prompt,
    quality: job.quality as Quality,
    contentMode: job.content_mode as ContentMode,
    numOutputs: job.num_outputs,
    aspectRatio: job.aspect_ratio ?? undefined,
    width: job.width ?? undefined,
    height: job.height ?? undefined,
    seed: job.seed ?? undefined,
    negativePrompt: job.negative_prompt ?? undefined,
    referenceUrl: await referenceUrl(deps, job),
    referenceStrength: typeof strength === "number" ? strength : undefined,
    durationSeconds: job.duration_seconds ?? undefined,
  }, () => job.seed ?? 0);
}

/**
 * Where the provider calls back about a job: one route per provider name; the job id lets a
 * callback that beats our own bookkeeping wait for it, and limits the callback to that job.
 */
export function webhookUrl(functionsUrl: string, providerName: string, jobId: string): string {
  return `${functionsUrl}/provider-webhooks/${encodeURIComponent(providerName)}?job_id=${jobId}`;
}

/** Submits a leased job. */
export async function submitJob(deps: JobDeps, job: Job): Promise<SubmitOutcome> {
  const model = await chooseModel(deps, job);
  if (!model) {
    await transition(deps, job.id, "fail", {
      error_code: "no_model",
      error_message: "No model can run this job now",
    });
    return "failed";
  }
  const waitMs = await takeSlot(deps, model);
  if (waitMs > 0) {
    await transition(deps, job.id, "release", { delay_ms: waitMs, model_id: model.model.id });
    return "released";
  }
  let input: Record<string, unknown>;
  try {
    input = (await prepareInput(deps, job, model)).input;
  } catch (err) {
    // Whatever stops a job from being prepared (a reference that cannot be signed, a model row
    // that no longer maps) counts an attempt, so the job ends failed and refunded instead of
    // holding a slot of the user's cap forever.
    deps.log.warn("job could not be prepared", { job_id: job.id, err });
    return await retry(
      deps,
      job,
      "prepare_failed",
      "The job could not be prepared for the provider",
    );
  }
  return await callProvider(deps, job, model, input);
}

async function retry(deps: JobDeps, job: Job, code: string, message: string) {
  const t = await transition(deps, job.id, "retry", {
    delay_ms: backoffMs(job.attempts, deps.random),
    error_code: code,
    error_message: message,
  });
  return t.status === "failed" ? "failed" : "retried";
}

/** Creates the generation and records the call; a provider failure decides the job's next step. */
async function callProvider(
  deps: JobDeps,
  job: Job,
  model: ResolvedModel,
  input: Record<string, unknown>,
): Promise<SubmitOutcome> {
  const started = performance.now();
  const call: apiUsage.ProviderCall = {
    providerId: model.provider.row.id,
    modelId: model.model.id,
    userId: job.user_id,
    jobId: job.id,
    requestType: job.modality as MediaKind,
    endpointPath: "create",
    costCredits: job.cost_credits,
    latencyMs: 0,
  };
  try {
    const submission = await generationFor(model.provider, job.modality).submit({
      model: model.model,
      input,
      webhookUrl: webhookUrl(deps.functionsUrl, model.provider.row.name, job.id),
    });
    // The link to the prediction is written first: the provider's webhook may already be on
    // its way, and it can only be applied once the job knows its prediction id.
    const latencyMs = performance.now() - started;
    const t = await transition(deps, job.id, "submitted", {
      prediction_id: submission.predictionId,
      model_id: model.model.id,
      input,
    });
    // Service path: the call's usage row and the model's health, together (after the link,
    // which must not depend on them).
    await deps.commits.run((tx) =>
      [
        apiUsage.insertCall(tx, {
          ...call,
          providerRequestId: submission.predictionId,
          responseStatus: 201,
          latencyMs,
        }),
        runtime.recordModelOutcome(tx, model.model.id, { ok: true }),
      ] as const
    );
    if (!t.applied) {
      // Cancelled (or expired) while we were submitting: stop the provider's work too.
      await cancelAtProvider(deps, {
        ...job,
        api_model_id: model.model.id,
        provider_prediction_id: submission.predictionId,
      });
    }
    return "submitted";
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    const failed = {
      ...call,
      responseStatus: err.status ?? null,
      latencyMs: performance.now() - started,
      error: err.message,
    };
    // Service path: the failed call's usage row, and (for a provider fault) the model's health.
    await deps.commits.run((tx) =>
      err.retryable && err.failure !== "rate_limited"
        ? [
          apiUsage.insertCall(tx, failed),
          runtime.recordModelOutcome(tx, model.model.id, { ok: false, error: err.message }),
        ] as const
        : [apiUsage.insertCall(tx, failed)] as const
    );
    if (err.failure === "rate_limited") {
      await transition(deps, job.id, "release", {
        delay_ms: (err.retryAfter ?? 5) * 1000,
        model_id: model.model.id,
      });
      return "released";
    }
    if (!err.retryable) {
      await transition(deps, job.id, "fail", {
        error_code: "provider_rejected",
        error_message: err.message,
      });
      return "failed";
    }
    return await retry(deps, job, err.failure, err.message);
  }
}
