/**
 * Asks a job's provider to stop working on it, best effort: the job's own state has already
 * been settled by the caller (cancelled, or failed past its deadline), so a provider that cannot
 * be reached only costs provider time, never the user's credits.
 */
import type { Tables } from "../db/database.types.ts";
import { generationFor } from "../providers/adapters.ts";
import type { JobDeps } from "./job_deps.ts";

/** Cancels the job's generation at its provider, if it has one running; failures are logged. */
export async function cancelAtProvider(
  deps: Pick<JobDeps, "registry" | "log">,
  job: Pick<Tables<"jobs">, "id" | "modality" | "api_model_id" | "provider_prediction_id">,
): Promise<void> {
  if (!job.provider_prediction_id || !job.api_model_id) return;
  try {
    const model = await deps.registry.modelById(job.api_model_id);
    if (!model) return;
    await generationFor(model.provider, job.modality).cancel(job.provider_prediction_id);
  } catch (err) {
    deps.log.warn("provider cancel failed", { job_id: job.id, err });
  }
}
