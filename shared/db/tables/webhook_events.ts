/**
 * The `webhook_events` table client: provider deliveries, claimed before any work and settled
 * once (claim_webhook_delivery, release_webhook_delivery). Service path only: deliveries act for
 * whichever user owns the job. Statements are returned unsent.
 */
import type { Tx } from "../client.ts";
import type { Job } from "./jobs.ts";

/** A delivery's facts, as the SQL functions read them. */
export interface DeliveryFacts {
  provider: string;
  delivery_id: string;
  payload_hash: string;
  event_type: string;
}

/** What claiming a delivery found (see the SQL function's comment). */
export type Claim = "claimed" | "noted" | "ignored" | "duplicate" | "unknown";

/**
 * Finds the job a verified delivery is about (on the signing provider's models, and `jobId`
 * when given) and claims the delivery, with the job's row, in one statement.
 */
export function claim(
  tx: Tx,
  req: {
    providerId: string;
    predictionId: string;
    jobId: string | null;
    delivery: DeliveryFacts;
    state: string;
  },
) {
  return tx<({ claim: Claim } & Job)[]>`
    select c.claim, j.* from public.claim_webhook_delivery(${req.providerId}::uuid, ${req.predictionId},
      ${req.jobId}::uuid, ${tx.json(req.delivery as never)}, ${req.state}) c
    left join public.jobs j on j.id = c.job_id`;
}

/** Gives a claim up after a failure, so the provider's redelivery can take it over. */
export function release(tx: Tx, provider: string, deliveryId: string, error: string) {
  return tx`select public.release_webhook_delivery(${provider}, ${deliveryId}, ${error})`;
}

/**
 * Whether a terminal report of the job may be being applied right now: a claim taken
 * (`received`) in the last ten minutes. Longer than any output store takes (each output's
 * download has a 60 s timeout, and a job has at most a few), though a redelivery may take a claim
 * over after two: a cancel must not refund under outputs still arriving. A claim left by a dead
 * process stops holding the job after that; the reconciler or the deadline ends it meanwhile.
 * Read after locking the job: a claim holds the job's key-share lock until it commits.
 */
export function deliveryInProgress(tx: Tx, jobId: string) {
  return tx<{ busy: boolean }[]>`
    select exists (
      select 1 from public.webhook_events e
      where e.job_id = ${jobId} and e.status = 'received'
        and e.received_at > now() - interval '10 minutes'
    ) as busy`;
}
