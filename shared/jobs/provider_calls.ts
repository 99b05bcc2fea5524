/**
 * The provider operations the job flow needs (create, get, cancel), chosen by the provider
 * row's adapter, returning {@link ProviderReport}s in our terms.
 */
import { createOpenRouterVideoAdapter, type VideoJob } from "../providers/openrouter_video.ts";
import { createReplicateAdapter, type Prediction } from "../providers/replicate_adapter.ts";
import type { ResolvedModel } from "../providers/registry.ts";
import type { ProviderEndpoint } from "../providers/provider_config.ts";
import type { ProviderReport } from "./outcome.ts";

/** A submitted generation. */
export interface Submission {
  id: string;
  report: ProviderReport;
}

/** Maps Replicate's statuses (canceled and aborted are our cancelled). */
export function reportFromPrediction(p: Prediction): ProviderReport {
  const state = p.status === "succeeded"
    ? "succeeded"
    : p.status === "failed"
    ? "failed"
    : p.status === "canceled" || p.status === "aborted"
    ? "cancelled"
    : "running";
  return {
    state,
    outputs: p.outputs,
    error: p.error,
    usage: p.predictTimeSeconds ? { facts: { predict_time: p.predictTimeSeconds } } : undefined,
  };
}

/** Maps OpenRouter video job statuses. */
export function reportFromVideoJob(j: VideoJob): ProviderReport {
  const state = j.status === "completed"
    ? "succeeded"
    : j.status === "failed" || j.status === "expired"
    ? "failed"
    : j.status === "cancelled"
    ? "cancelled"
    : "running";
  return {
    state,
    outputs: j.outputs,
    error: j.error,
    usage: j.cost !== undefined ? { costUsd: j.cost } : undefined,
  };
}

/** Creates the generation at the provider. */
export async function createGeneration(
  model: ResolvedModel,
  input: Record<string, unknown>,
  webhookUrl: string,
): Promise<Submission> {
  const ep = model.provider;
  if (ep.row.adapter === "replicate") {
    const p = await createReplicateAdapter(ep).create({ model: model.model, input, webhookUrl });
    return { id: p.id, report: reportFromPrediction(p) };
  }
  if (ep.row.adapter === "openrouter" && model.model.modality === "video") {
    const j = await createOpenRouterVideoAdapter(ep).create({
      model: model.model.model_key,
      input,
      callbackUrl: webhookUrl,
    });
    return { id: j.id, report: reportFromVideoJob(j) };
  }
  throw new TypeError(`Provider adapter ${ep.row.adapter} cannot generate ${model.model.modality}`);
}

/** Polls a generation. */
export async function getGeneration(ep: ProviderEndpoint, id: string): Promise<ProviderReport> {
  if (ep.row.adapter === "replicate") {
    return reportFromPrediction(await createReplicateAdapter(ep).get(id));
  }
  return reportFromVideoJob(await createOpenRouterVideoAdapter(ep).get(id));
}

/** Cancels a generation (best effort: OpenRouter video jobs cannot be cancelled). */
export async function cancelGeneration(ep: ProviderEndpoint, id: string): Promise<void> {
  if (ep.row.adapter === "replicate") await createReplicateAdapter(ep).cancel(id);
}

/** The webhook URL for a job (the job id lets a callback that beats our own bookkeeping wait). */
export function webhookUrl(functionsUrl: string, ep: ProviderEndpoint, jobId: string): string {
  const route = ep.row.adapter === "replicate" ? "replicate" : "openrouter";
  return `${functionsUrl}/provider-webhooks/${route}?provider=${
    encodeURIComponent(ep.row.name)
  }&job_id=${jobId}`;
}
