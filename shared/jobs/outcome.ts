/**
 * Applies what a provider reports about a job — from a webhook or from the reconciler's poll.
 * Success: outputs are stored first (outside any transaction), then one statement
 * (complete_job_with_outputs) settles the delivery, inserts the asset rows (unique per job and
 * index) and completes the job.
 * If the job did not end up completed with those rows, the objects are removed again.
 * Failure and cancel: the job ends with its refund. Duplicates and late events change nothing.
 */
import { asService } from "../db/scopes.ts";
import * as jobs from "../db/tables/jobs.ts";
import type { DeliveryFacts } from "../db/tables/webhook_events.ts";
import type { ProviderReport } from "../providers/report.ts";
import type { JobDeps } from "./job_deps.ts";
import { type OutputSource, type StoredOutput, storeOutputs } from "./outputs.ts";

/** What happened. */
export type OutcomeResult =
  | "duplicate"
  | "noted"
  | "completed"
  | "failed"
  | "cancelled"
  | "ignored";

/** Applies a report to a job (looked up by the caller). */
export async function applyReport(
  deps: JobDeps,
  job: jobs.Job,
  report: ProviderReport,
  opts: { delivery?: DeliveryFacts; source: OutputSource; modelUsed: string },
): Promise<OutcomeResult> {
  if (report.state === "running") return "noted";
  if (report.state === "succeeded") {
    const stored = await storeOutputs(deps, job, report.outputs, opts.source);
    // Service path: assets and the job's state are written for the user by the backend only,
    // in one statement, committed with whatever other deliveries are ready (group commit).
    const [[{ result }]] = await deps.commits.run((tx) =>
      [
        jobs.completeWithOutputs(
          tx,
          job.id,
          stored.map(assetFacts),
          opts.modelUsed,
          opts.delivery ?? null,
        ),
      ] as const
    );
    if (result !== "completed" && result !== "duplicate" && stored.length > 0) {
      // Nothing references these objects: the job did not complete with them. (A duplicate's
      // objects are at the paths the completed job's assets point to, so they stay.)
      await deps.store.remove(stored[0].bucket, stored.map((s) => s.path)).catch((err) =>
        deps.log.error("orphan cleanup failed", { job_id: job.id, err })
      );
    }
    return result;
  }
  const event = report.state === "failed" ? "fail" : "cancel";
  // Service path: the job ends with its refund; end_job_from_report locks the job before it
  // settles the delivery, the one lock order every writer of a job follows.
  const [{ result }] = await asService(deps.db, (tx) =>
    jobs.endFromReport(tx, job.id, event, {
      error_code: event === "fail" ? "provider_failed" : "provider_cancelled",
      error_message: report.error ?? null,
    }, opts.delivery ?? null));
  return result;
}

/** An output as complete_job_with_outputs reads it. */
function assetFacts(o: StoredOutput) {
  return {
    index: o.index,
    path: o.path,
    mime: o.mime,
    size: o.size,
    width: o.width ?? null,
    height: o.height ?? null,
    duration_seconds: o.durationSeconds ?? null,
  };
}
