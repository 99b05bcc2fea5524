/**
 * The system metrics client: the SQL functions of migration 20261204000100 (overview, the
 * dashboard's day series, the per-model daily rollup, retention) and the daily rows of
 * `model_performance_logs`. The functions read across users and are executable by service_role
 * only, so their callers use `asService`; the daily rows are admin-readable under RLS. Figures
 * are defined in docs/metrics.md. Statements are returned unsent.
 */
import type { Tx } from "../client.ts";
import type { Tables } from "../database.types.ts";

/** The overview as `public.system_metrics_overview()` builds it (shape: docs/metrics.md). */
export function overview(tx: Tx) {
  return tx<{ overview: Record<string, unknown> }[]>`
    select public.system_metrics_overview() as overview`;
}

/** The dashboard's series over the last `days` UTC days, today included. */
export function daily(tx: Tx, days: number) {
  return tx<{ daily: Record<string, unknown> }[]>`
    select public.system_metrics_daily(${days}::int) as daily`;
}

/** Recomputes one UTC day (`YYYY-MM-DD`); answers how many models have a row for it. */
export function rollup(tx: Tx, day: string) {
  return tx<{ models: number }[]>`
    select public.rollup_model_performance(${day}::date) as models`;
}

/** What one retention call removed. */
export interface PurgeCounts {
  webhook_events_deleted: number;
  api_usage_logs_deleted: number;
  idempotency_keys_cleared: number;
  batches: number;
  done: boolean;
}

/** One retention call: batches of `batchSize` rows per table until done or `budgetMs` is spent. */
export function purge(tx: Tx, batchSize: number, budgetMs: number) {
  return tx<{ counts: PurgeCounts }[]>`
    select public.purge_expired_records(${batchSize}::int, ${budgetMs}::int) as counts`;
}

/** A daily row with the model's current key. */
export type ModelDayRow = Tables<"model_performance_logs"> & { model_key: string | null };

/** Which daily rows to read: an inclusive range of UTC days, optionally one model. */
export interface ModelDaysFilter {
  from: string;
  to: string;
  modelId?: string;
  /** At most this many rows. */
  limit: number;
}

/** Daily rows, oldest day first, then by model key. */
export function modelDays(tx: Tx, f: ModelDaysFilter) {
  return tx<ModelDayRow[]>`
    select l.*, m.model_key
    from public.model_performance_logs l
    left join public.api_models m on m.id = l.api_model_id
    where l.date between ${f.from}::date and ${f.to}::date
      and (${f.modelId ?? null}::uuid is null or l.api_model_id = ${f.modelId ?? null}::uuid)
    order by l.date, m.model_key, l.api_model_id
    limit ${f.limit}`;
}
