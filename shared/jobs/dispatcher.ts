/**
 * One bounded dispatcher + reconciler run: claims due queued jobs (expired leases included)
 * and submits them; polls providers for processing jobs whose webhook is overdue; fails jobs
 * past their deadline (cancelling them at the provider) with a refund. Idempotent: run it as
 * often as you like, from as many instances as you like.
 */
import type { Tables } from "../db/database.types.ts";
import { asService } from "../db/scopes.ts";
import type { JobDeps } from "./job_deps.ts";
import { applyReport } from "./outcome.ts";
import { outputSource } from "./outputs.ts";
import { generationFor } from "../providers/adapters.ts";
import { cancelAtProvider } from "./provider_cancel.ts";
import { submitJob } from "./submit.ts";

type Job = Tables<"jobs">;

/** Options for {@link runDispatch}. */
export interface DispatchOptions {
  /** Jobs claimed per run. @default 25 */
  limit?: number;
  /** How long a claim is held before another instance may take the job. @default 120 */
  leaseSeconds?: number;
  /** Submissions in flight at once. @default 8 */
  concurrency?: number;
  /** A processing job is polled once its last change is this old. @default 120 */
  webhookOverdueSeconds?: number;
  /**
   * Also poll overdue jobs and expire jobs past their deadline. The kick after an enqueue
   * turns it off: it is there to start the new job at once, and the scheduled run (every
   * minute) does the reconciling. @default true
   */
  reconcile?: boolean;
}

/** What a run did. */
export interface DispatchCounts {
  claimed: number;
  submitted: number;
  released: number;
  retried: number;
  failed: number;
  reconciled: number;
  expired: number;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}

/** Runs one dispatch round. */
export async function runDispatch(
  deps: JobDeps,
  opts: DispatchOptions = {},
): Promise<DispatchCounts> {
  const counts: DispatchCounts = {
    claimed: 0,
    submitted: 0,
    released: 0,
    retried: 0,
    failed: 0,
    reconciled: 0,
    expired: 0,
  };
  const limit = opts.limit ?? 25;
  // Service path: dispatch acts for every user's jobs.
  const claimed = await asService(
    deps.db,
    (tx) =>
      tx<Job[]>`select * from public.claim_due_jobs(${limit}::int, ${
        opts.leaseSeconds ?? 120
      }::int)`,
  );
  counts.claimed = claimed.length;
  await pool(claimed, opts.concurrency ?? 8, async (job) => {
    try {
      counts[await submitJob(deps, job)]++;
    } catch (err) {
      // The lease expires and another run retries; nothing is lost.
      deps.log.error("submit crashed", { job_id: job.id, err });
    }
  });

  if (opts.reconcile === false) return counts;

  const overdue = await asService(
    deps.db,
    (tx) =>
      tx<
        Job[]
      >`select * from public.jobs where status = 'processing' and provider_prediction_id is not null
      and updated_at < now() - make_interval(secs => ${opts.webhookOverdueSeconds ?? 120})
      order by updated_at limit ${limit}`,
  );
  await pool(overdue, opts.concurrency ?? 8, async (job) => {
    try {
      const model = await deps.registry.modelById(job.api_model_id!);
      if (!model) return;
      const report = await generationFor(model.provider, job.modality).get(
        job.provider_prediction_id!,
      );
      if (report.state === "running") return;
      const result = await applyReport(deps, job, report, {
        source: outputSource(model.provider),
        modelUsed: model.model.model_key,
      });
      if (result !== "duplicate" && result !== "ignored") counts.reconciled++;
    } catch (err) {
      deps.log.warn("reconcile failed", { job_id: job.id, err });
    }
  });

  const expired = await asService(
    deps.db,
    (tx) =>
      tx<
        Job[]
      >`select * from public.jobs where status in ('queued', 'processing') and deadline_at <= now()
      order by deadline_at limit ${limit}`,
  );
  for (const job of expired) {
    // Failed (and refunded) before the provider is told to stop: its cancel callback then finds
    // the job ended, rather than racing this and ending it as cancelled.
    const [t] = await asService(
      deps.db,
      (tx) =>
        tx<{ applied: boolean }[]>`select * from public.job_transition(${job.id}::uuid, 'fail',
        ${
          tx.json({
            error_code: "deadline_exceeded",
            error_message: "The job did not finish before its deadline",
          })
        })`,
    );
    if (!t.applied) continue;
    counts.expired++;
    if (job.status === "processing") await cancelAtProvider(deps, job);
  }
  return counts;
}
