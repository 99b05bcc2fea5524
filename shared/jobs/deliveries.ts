/**
 * A verified provider delivery, handled once: find the job it is about (only a job on the
 * signing provider's models, and the job its URL names), claim the delivery before any work so
 * concurrent copies do nothing, apply the report (store outputs, complete; or fail/cancel with a
 * refund), and record the provider's actual cost. Signature checks happen before this, at the
 * edge; this module never sees an unverified body.
 */
import { asService } from "../db/scopes.ts";
import { isUuid } from "../encoding.ts";
import * as jobs from "../db/tables/jobs.ts";
import * as deliveries from "../db/tables/webhook_events.ts";
import { AppError } from "../errors.ts";
import * as apiUsage from "../db/tables/api_usage_logs.ts";
import type { ProviderRow } from "../providers/provider_config.ts";
import type { ProviderReport } from "../providers/report.ts";
import type { JobDeps } from "./job_deps.ts";
import { applyReport, type OutcomeResult } from "./outcome.ts";
import { outputSource } from "./outputs.ts";

/** A delivery whose signature checked out, in our terms. */
export interface VerifiedDelivery {
  provider: ProviderRow;
  /** The provider's id for the generation (prediction id, video job id). */
  predictionId: string;
  /** The sender's id for this delivery, taken from what was signed; identical on redelivery. */
  deliveryId: string;
  /** sha256 hex of the signed body. */
  payloadHash: string;
  eventType: string;
  report: ProviderReport;
  /** The job id from the callback URL, when it carries one (only that job may be touched). */
  jobIdParam?: string;
}

/** What handling a delivery did. */
export type DeliveryResult = OutcomeResult | "ignored";

function deliveryFacts(d: VerifiedDelivery): deliveries.DeliveryFacts {
  return {
    provider: d.provider.name,
    delivery_id: d.deliveryId,
    payload_hash: d.payloadHash,
    event_type: d.eventType,
  };
}

async function claim(deps: JobDeps, d: VerifiedDelivery, jobId: string | null) {
  // Service path: webhooks act for whichever user owns the job; the lookup is limited to the
  // signing provider's jobs inside claim_webhook_delivery.
  const [row] = await asService(deps.db, (tx) =>
    deliveries.claim(tx, {
      providerId: d.provider.id,
      predictionId: d.predictionId,
      jobId,
      delivery: deliveryFacts(d),
      state: d.report.state,
    }));
  const { claim: outcome, ...job } = row;
  return { claim: outcome, job: job.id ? job as jobs.Job : null };
}

/** How long a delivery waits for its link before asking the provider to deliver again. */
const LINK_WAIT_MS = 2000;

/**
 * The pause before looking for the link again: short at first, since the link is usually one
 * group commit away (a fixed 100 ms pause made most early callbacks wait 100 ms for a write that
 * landed a few ms later), then 100 ms.
 */
function linkPollDelayMs(attempt: number): number {
  return Math.min(100, 5 * 2 ** attempt);
}

/**
 * Claims the delivery; when our own bookkeeping has not linked the prediction to the job its URL
 * names yet (the provider called back faster than that write), waits a moment for the link,
 * then asks the provider to deliver again.
 */
async function claimWhenLinked(deps: JobDeps, d: VerifiedDelivery) {
  const jobId = d.jobIdParam !== undefined && isUuid(d.jobIdParam) ? d.jobIdParam : null;
  if (d.jobIdParam !== undefined && jobId === null) return { claim: "unknown" as const, job: null };
  let settled = false;
  let waited = 0;
  for (let i = 0;; i++) {
    const claimed = await claim(deps, d, jobId);
    if (claimed.claim !== "unknown" || jobId === null || settled) return claimed;
    // Service path: is the job named in the URL still waiting for its submission to be recorded?
    const [pending] = await asService(deps.db, (tx) => jobs.leaseState(tx, jobId));
    if (!pending || pending.status !== "queued" || pending.lease_expires_at === null) {
      // Not waiting (any more): the link may have landed since the claim above, so one last try.
      settled = true;
      continue;
    }
    if (waited >= LINK_WAIT_MS) {
      throw new AppError("UNAVAILABLE", "Job not ready for this delivery yet", { retryAfter: 2 });
    }
    const pause = linkPollDelayMs(i);
    waited += pause;
    await new Promise((r) => setTimeout(r, pause));
  }
}

/** Handles a verified delivery exactly once. */
export async function handleDelivery(
  deps: JobDeps,
  d: VerifiedDelivery,
): Promise<DeliveryResult> {
  const { claim: outcome, job } = await claimWhenLinked(deps, d);
  if (outcome === "unknown" || !job) return "ignored";
  if (outcome !== "claimed") {
    if (outcome === "noted") await recordCost(deps, d);
    return outcome;
  }
  let result: DeliveryResult;
  try {
    const model = job.api_model_id ? await deps.registry.modelById(job.api_model_id) : undefined;
    const endpoint = deps.registry.endpoint(d.provider);
    result = await applyReport(deps, job, d.report, {
      delivery: deliveryFacts(d),
      source: endpoint ? outputSource(endpoint) : { allowedHosts: d.provider.allowed_output_hosts },
      modelUsed: model?.model.model_key ?? "unknown",
    });
  } catch (err) {
    // Give the claim up, so the provider's redelivery can do the work.
    const reason = err instanceof Error ? err.message : String(err);
    // Service path: the claim is the backend's bookkeeping.
    await asService(deps.db, (tx) => deliveries.release(tx, d.provider.name, d.deliveryId, reason))
      .catch((e) => deps.log.error("releasing a delivery claim failed", { err: e }));
    throw err;
  }
  if (result !== "duplicate" && result !== "ignored") {
    // Bookkeeping after the job is settled: failing it would fail a delivery whose redelivery
    // is then a duplicate, so the cost would never be recorded anyway.
    await recordCost(deps, d).catch((err) =>
      deps.log.error("recording a delivery's cost failed", { err })
    );
  }
  return result;
}

/** Fills in what the provider says the generation cost (predict time, USD), the same way for all. */
async function recordCost(deps: JobDeps, d: VerifiedDelivery): Promise<void> {
  const usage = d.report.usage;
  if (!usage) return;
  // Service path: cost reconciliation, committed with other deliveries' writes.
  await deps.commits.run((tx) =>
    [
      apiUsage.recordActualCost(tx, d.provider.id, d.predictionId, {
        costUsd: usage.costUsd,
        tokensInput: usage.tokensInput,
        tokensOutput: usage.tokensOutput,
        metadata: { ...usage.facts, status: d.eventType },
      }),
    ] as const
  );
}
