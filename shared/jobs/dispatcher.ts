/**
 * One bounded dispatcher + reconciler run: claims due queued jobs (expired leases included)
 * and submits them; polls providers for processing jobs whose webhook is overdue; fails jobs
 * past their deadline (then cancels them at the provider) with a refund. Idempotent: run it as
 * often as you like, from as many instances as you like.
 */
import { asService } from "../db/scopes.ts";
import * as jobs from "../db/tables/jobs.ts";
import { sha256Hex } from "../encoding.ts";
import { readSettings } from "../db/tables/system_config.ts";
import { generationFor } from "../providers/adapters.ts";
import type { JobDeps } from "./job_deps.ts";
import { handleDelivery } from "./deliveries.ts";
import { cancelAtProvider } from "./provider_cancel.ts";
import { submitJob } from "./submit.ts";

/** Options for {@link runDispatch}. */
export interface DispatchOptions {
  /** Jobs claimed per run. @default 25 */
  limit?: number;
  /** How long a claim is held before another instance may take the job. Default: system_config.job_lease_seconds (120). */
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
  const concurrency = opts.concurrency ?? 8;
  const leaseSeconds = opts.leaseSeconds ?? (await readSettings(deps.db)).job_lease_seconds;
  await submitDue(deps, counts, limit, leaseSeconds, concurrency);
  if (opts.reconcile === false) return counts;
  await reconcileOverdue(deps, counts, limit, opts.webhookOverdueSeconds ?? 120, concurrency);
  await expirePastDeadline(deps, counts, limit);
  return counts;
}

/** Claims due jobs and submits them, a few at once. */
async function submitDue(
  deps: JobDeps,
  counts: DispatchCounts,
  limit: number,
  leaseSeconds: number,
  concurrency: number,
) {
  // Service path: dispatch acts for every user's jobs.
  const claimed = await asService(deps.db, (tx) => jobs.claimDue(tx, limit, leaseSeconds));
  counts.claimed = claimed.length;
  await pool(claimed, concurrency, async (job) => {
    try {
      counts[await submitJob(deps, job)]++;
    } catch (err) {
      // The lease expires and another run retries; nothing is lost.
      deps.log.error("submit crashed", { job_id: job.id, err });
    }
  });
}

/** Polls the provider for processing jobs whose callback is overdue, and applies what it says. */
async function reconcileOverdue(
  deps: JobDeps,
  counts: DispatchCounts,
  limit: number,
  overdueSeconds: number,
  concurrency: number,
) {
  // Service path: the reconciler acts for every user's jobs.
  const overdue = await asService(deps.db, (tx) => jobs.overdue(tx, overdueSeconds, limit));
  await pool(overdue, concurrency, async (job) => {
    try {
      const model = await deps.registry.modelById(job.api_model_id!);
      if (!model) return;
      const report = await generationFor(model.provider, job.modality).get(
        job.provider_prediction_id!,
      );
      if (report.state === "running") return;
      // Applied as a delivery of its own (claimed once, like a webhook): a cancel meanwhile sees
      // the claim and cannot refund a job whose outputs are being stored.
      const predictionId = job.provider_prediction_id!;
      const result = await handleDelivery(deps, {
        provider: model.provider.row,
        predictionId,
        deliveryId: `reconcile:${predictionId}`,
        payloadHash: sha256Hex(`reconcile:${predictionId}:${report.state}`),
        eventType: "reconcile",
        report,
        jobIdParam: job.id,
      });
      if (result !== "duplicate" && result !== "ignored" && result !== "noted") {
        counts.reconciled++;
      }
    } catch (err) {
      deps.log.warn("reconcile failed", { job_id: job.id, err });
    }
  });
}

/**
 * Fails (and refunds) jobs past their deadline, then tells the provider to stop: in that order,
 * so its cancel callback finds the job ended rather than racing this and ending it as cancelled.
 */
async function expirePastDeadline(deps: JobDeps, counts: DispatchCounts, limit: number) {
  // Service path: deadlines are enforced for every user's jobs.
  const expired = await asService(deps.db, (tx) => jobs.pastDeadline(tx, limit));
  for (const job of expired) {
    const [t] = await asService(deps.db, (tx) =>
      jobs.transition(tx, job.id, "fail", {
        error_code: "deadline_exceeded",
        error_message: "The job did not finish before its deadline",
      }));
    if (!t.applied) continue;
    counts.expired++;
    if (job.status === "processing") await cancelAtProvider(deps, job);
  }
}
