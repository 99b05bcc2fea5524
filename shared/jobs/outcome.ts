/**
 * Applies what a provider reports about a job — from a webhook or from the reconciler's poll.
 * Success: outputs are stored first (outside any transaction), then in one transaction the
 * delivery is recorded, asset rows inserted (unique per job and index) and the job completed.
 * If the job did not end up completed with those rows, the objects are removed again.
 * Failure and cancel: the job ends with its refund. Duplicates and late events change nothing.
 */
import type { Tables } from "../db/database.types.ts";
import type { Tx } from "../db/client.ts";
import { asService } from "../db/scopes.ts";
import type { JobDeps } from "./job_deps.ts";
import { type OutputSource, type StoredOutput, storeOutputs } from "./outputs.ts";

type Job = Tables<"jobs">;

/** A provider's report in our terms. */
export interface ProviderReport {
  state: "running" | "succeeded" | "failed" | "cancelled";
  outputs: string[];
  error?: string | null;
  /** Provider-side facts for the usage log (predict time, cost). */
  usage?: Record<string, unknown>;
}

/** A webhook delivery to record once. */
export interface Delivery {
  provider: string;
  deliveryId: string;
  payloadHash: string;
  eventType: string;
}

/** What happened. */
export type OutcomeResult =
  | "duplicate"
  | "noted"
  | "completed"
  | "failed"
  | "cancelled"
  | "ignored";

async function record(tx: Tx, delivery: Delivery | undefined, jobId: string): Promise<boolean> {
  if (!delivery) return true;
  const [row] = await tx<
    { fresh: boolean }[]
  >`select public.record_webhook_delivery(${delivery.provider},
    ${delivery.deliveryId}, ${delivery.payloadHash}, ${delivery.eventType}, ${jobId}::uuid) as fresh`;
  return row.fresh;
}

async function insertAssets(tx: Tx, job: Job, outputs: StoredOutput[], modelUsed: string) {
  const seedKey = job.input && typeof job.input === "object"
    ? (job.input as Record<string, unknown>).seed
    : undefined;
  const seed = typeof seedKey === "number" ? seedKey : null;
  for (const o of outputs) {
    const common = {
      user_id: job.user_id,
      asset_type: job.modality,
      file_size_bytes: o.size,
      mime_type: o.mime,
      duration_seconds: o.durationSeconds ?? null,
      width: o.width ?? null,
      height: o.height ?? null,
      generation_seed: seed,
      original_prompt: job.original_prompt ?? job.prompt,
      model_used: modelUsed,
      asset_index: o.index,
    };
    if (job.destination === "library") {
      await tx`insert into public.user_library ${
        tx(
          {
            ...common,
            storage_path: o.path,
            source_job_id: job.id,
            generation_metadata: tx.json({ job_id: job.id, quality: job.quality } as never),
          } as never,
        )
      }
        on conflict (source_job_id, asset_index) do nothing`;
    } else {
      await tx`insert into public.workspace_assets ${
        tx(
          {
            ...common,
            temp_storage_path: o.path,
            job_id: job.id,
            generation_settings: tx.json(
              { quality: job.quality, width: job.width, height: job.height } as never,
            ),
          } as never,
        )
      }
        on conflict (job_id, asset_index) do nothing`;
    }
  }
}

/** Applies a report to a job (looked up by the caller). */
export async function applyReport(
  deps: JobDeps,
  job: Job,
  report: ProviderReport,
  opts: { delivery?: Delivery; source: OutputSource; modelUsed: string },
): Promise<OutcomeResult> {
  const terminal = ["completed", "failed", "cancelled"].includes(job.status);
  if (report.state === "running" || (terminal && report.state === "succeeded")) {
    // Service path: webhook bookkeeping.
    const fresh = await asService(deps.db, (tx) => record(tx, opts.delivery, job.id));
    return fresh ? (terminal ? "ignored" : "noted") : "duplicate";
  }
  if (report.state === "succeeded") {
    const stored = await storeOutputs(deps, job, report.outputs, opts.source);
    // Service path: assets and the job's state are written for the user by the backend only.
    const result = await asService(deps.db, async (tx) => {
      if (!await record(tx, opts.delivery, job.id)) return "duplicate" as const;
      await insertAssets(tx, job, stored, opts.modelUsed);
      const [t] = await tx<{ applied: boolean; status: string }[]>`
        select * from public.job_transition(${job.id}::uuid, 'complete', ${
        tx.json({ outputs_stored: stored.length })
      })`;
      if (!t.applied) throw new NotApplied(t.status);
      return t.status as "completed" | "failed";
    }).catch((err) => {
      if (err instanceof NotApplied) {
        return err.status === "completed" ? "duplicate" as const : "ignored" as const;
      }
      throw err;
    });
    if (result !== "completed" && result !== "duplicate" && stored.length > 0) {
      // Nothing references these objects: the job did not complete with them.
      await deps.store.remove(stored[0].bucket, stored.map((s) => s.path)).catch((err) =>
        deps.log.error("orphan cleanup failed", { job_id: job.id, err })
      );
    }
    return result;
  }
  const event = report.state === "failed" ? "fail" : "cancel";
  return await asService(deps.db, async (tx) => {
    if (!await record(tx, opts.delivery, job.id)) return "duplicate" as const;
    const [t] = await tx<
      { applied: boolean }[]
    >`select * from public.job_transition(${job.id}::uuid, ${event},
      ${
      tx.json({
        error_code: event === "fail" ? "provider_failed" : "provider_cancelled",
        error_message: report.error ?? null,
      })
    })`;
    return t.applied
      ? (event === "fail" ? "failed" as const : "cancelled" as const)
      : "ignored" as const;
  });
}

class NotApplied extends Error {
  constructor(readonly status: string) {
    super(`transition not applied (job is ${status})`);
  }
}
