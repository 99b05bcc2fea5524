/**
 * The `jobs` table client: every statement the job flow and the routes send about jobs, typed
 * with the generated row types. Each function takes a transaction handle and returns the
 * statement unsent, so the caller chooses the scope where it is visible (`asUser(db, claims, (tx)
 * => ownJob(tx, id))`, `asService(...)`, or a group commit) and can send several in one round
 * trip. State changes go only through the job-flow SQL functions (job_transition and friends).
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";
import { TABLE_BUCKETS } from "../../vocabulary.ts";

/** A job row. */
export type Job = Tables<"jobs">;

/** The events job_transition accepts (DESIGN.md section 8). */
export type JobEvent = "submitted" | "release" | "retry" | "complete" | "fail" | "cancel";

/** What job_transition answers. */
export interface Transition {
  applied: boolean;
  status: Job["status"];
  refunded: number;
}

/** An asset of a job as read with it (workspace or library row, in one shape). */
export interface JobAssetRow {
  id: string;
  index: number;
  bucket: string;
  path: string;
  mime_type: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  duration_seconds: number | null;
  seed: number | null;
}

// --- the caller's own (run under asUser: RLS, plus the explicit owner, since RLS also shows an
// admin everyone's jobs and the user routes act on the caller's own only) -------------------

/** The caller's own job. */
export function ownJob(tx: Tx, id: string) {
  return tx<Job[]>`select * from public.jobs where id = ${id} and user_id = (select auth.uid())`;
}

/** The caller's own job with its assets (from the workspace or the library), in one statement. */
export function ownJobWithAssets(tx: Tx, id: string) {
  return tx<(Job & { assets: JobAssetRow[] })[]>`
    select j.*, coalesce((
      select json_agg(a order by a.index) from (
        select id, asset_index as index, ${TABLE_BUCKETS.workspace_assets}::text as bucket,
          temp_storage_path as path, mime_type,
          file_size_bytes as size_bytes, width, height, duration_seconds, generation_seed as seed
        from public.workspace_assets where job_id = j.id
        union all
        select id, asset_index, ${TABLE_BUCKETS.user_library}::text, storage_path, mime_type,
          file_size_bytes, width, height,
          duration_seconds, generation_seed
        from public.user_library where source_job_id = j.id
      ) a), '[]') as assets
    from public.jobs j where j.id = ${id} and j.user_id = (select auth.uid())`;
}

/** A page of the caller's own jobs, newest first, after a keyset position; one row extra. */
export function ownJobsPage(
  tx: Tx,
  page: { status?: string; after?: { at: string; id: string }; limit: number },
) {
  return tx<Job[]>`
    select * from public.jobs
    where user_id = (select auth.uid())
      ${page.status ? tx`and status = ${page.status}` : tx``}
      ${
    page.after
      ? tx`and (created_at, id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
      : tx``
  }
    order by created_at desc, id desc
    limit ${page.limit + 1}`;
}

// --- the job flow (run as the service: these act for whichever user owns the job) -----------

/** Charges the user and inserts the job in one call (see the SQL function's comment). */
export function enqueue(
  tx: Tx,
  req: {
    userId: string;
    job: Record<string, unknown>;
    cost: number;
    idempotencyKey?: string;
    requestHash: string | null;
  },
) {
  return tx<
    {
      outcome:
        | "created"
        | "replayed"
        | "idempotency_conflict"
        | "too_many_active"
        | "insufficient_credits";
      job_id: string | null;
      balance: number;
      job: Job | null;
    }[]
  >`select * from public.enqueue_job(${req.userId}::uuid, ${tx.json(req.job as never)},
      ${req.cost}::int, ${req.idempotencyKey ?? null}, ${req.requestHash})`;
}

/** What {@link enqueue} would most likely answer, read without locks (enqueue_precheck). */
export function enqueuePrecheck(
  tx: Tx,
  req: { userId: string; cost: number; idempotencyKey?: string; requestHash: string | null },
) {
  return tx<
    {
      outcome:
        | "proceed"
        | "replayed"
        | "idempotency_conflict"
        | "too_many_active"
        | "insufficient_credits"
        | "no_profile";
    }[]
  >`
    select public.enqueue_precheck(${req.userId}::uuid, ${req.cost}::int,
      ${req.idempotencyKey ?? null}, ${req.requestHash}) as outcome`;
}

/** Locks a job's row for the rest of the transaction (a cancel's check, then its transition). */
export function lockJob(tx: Tx, id: string) {
  return tx<{ id: string }[]>`select id from public.jobs where id = ${id} for update`;
}

/** The only way a job changes state. */
export function transition(tx: Tx, id: string, event: JobEvent, data: Record<string, unknown>) {
  return tx<Transition[]>`select * from public.job_transition(${id}::uuid, ${event},
    ${tx.json(data as never)})`;
}

/** Leases due queued jobs, each user's oldest first. */
export function claimDue(tx: Tx, limit: number, leaseSeconds: number) {
  return tx<Job[]>`select * from public.claim_due_jobs(${limit}::int, ${leaseSeconds}::int)`;
}

/** Processing jobs whose callback is overdue, oldest change first. */
export function overdue(tx: Tx, overdueSeconds: number, limit: number) {
  return tx<Job[]>`
    select * from public.jobs where status = 'processing' and provider_prediction_id is not null
      and updated_at < now() - make_interval(secs => ${overdueSeconds})
    order by updated_at limit ${limit}`;
}

/** Running jobs past their deadline. */
export function pastDeadline(tx: Tx, limit: number) {
  return tx<Job[]>`
    select * from public.jobs where status in ('queued', 'processing') and deadline_at <= now()
    order by deadline_at limit ${limit}`;
}

/** Whether a job is still waiting in a lease (its submission not yet recorded). */
export function leaseState(tx: Tx, id: string) {
  return tx<Pick<Job, "status" | "lease_expires_at">[]>`
    select status, lease_expires_at from public.jobs where id = ${id}::uuid`;
}

/** Applies a success report: assets, the delivery and the completion, in one statement. */
export function completeWithOutputs(
  tx: Tx,
  id: string,
  outputs: Record<string, unknown>[],
  modelUsed: string,
  /** The claimed delivery (webhook_events.DeliveryFacts), or null for a poll. */
  delivery: object | null,
) {
  return tx<{ result: "completed" | "failed" | "duplicate" | "ignored" }[]>`
    select public.complete_job_with_outputs(${id}::uuid, ${tx.json(outputs as never)}, ${modelUsed},
      ${delivery ? tx.json(delivery as never) : null}) as result`;
}

/** Applies a failure or cancel report (job row locked first, then the delivery). */
export function endFromReport(
  tx: Tx,
  id: string,
  event: "fail" | "cancel",
  data: Record<string, unknown>,
  /** The claimed delivery (webhook_events.DeliveryFacts), or null for a poll or a cancel. */
  delivery: object | null,
) {
  return tx<{ result: "failed" | "cancelled" | "duplicate" | "ignored" }[]>`
    select public.end_job_from_report(${id}::uuid, ${event}, ${tx.json(data as never)},
      ${delivery ? tx.json(delivery as never) : null}) as result`;
}
