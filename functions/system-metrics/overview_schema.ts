/**
 * The overview's response schema (every field is defined in docs/metrics.md), shared by the JSON
 * routes, the Prometheus exposition and the dashboard. Parsing the SQL function's answer with
 * it keeps the documented shape and the database in step.
 */
import { z } from "@hono/zod-openapi";

const count = z.number().int().min(0);
// Ids the database holds: any 8-4-4-4-12 hex (Postgres takes ids without a version, as hand-made
// seed rows have), not only the RFC 9562 versions z.uuid() insists on.
const modelRef = {
  model_id: z.guid().nullable(),
  model_key: z.string().nullable(),
};

/** `GET /system-metrics`. */
export const overviewSchema = z.object({
  generated_at: z.string(),
  jobs: z.object({
    by_status: z.object({
      queued: count,
      processing: count,
      completed: count,
      failed: count,
      cancelled: count,
    }),
    queued_by_model: z.array(z.object({ ...modelRef, queued: count })),
    oldest_queued_age_s: z.number().nullable(),
    completed_1h: count,
    completed_24h: count,
    success_rate_24h: z.number().min(0).max(1).nullable(),
    generation_ms: z.array(z.object({
      ...modelRef,
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      samples: count,
    })),
  }),
  providers: z.array(z.object({
    id: z.guid(),
    name: z.string(),
    requests_1h: count,
    error_rate_1h: z.number().min(0).max(1).nullable(),
    p95_latency_ms: z.number().nullable(),
    cooldown_until: z.string().nullable(),
    rate_limit_per_minute: z.number().nullable(),
    rate_limit_remaining: z.number().nullable(),
  })),
  credits: z.object({ charged_24h: z.number(), refunded_24h: z.number() }),
  storage: z.object({ workspace_bytes: count, library_bytes: count }),
  users: z.object({ active_24h: count, new_24h: count }),
  queues: z.object({
    eta: z.array(z.object({
      ...modelRef,
      queued: count,
      processing: count,
      avg_generation_ms: z.number().nullable(),
      concurrency: count,
      rate_limit_per_minute: z.number().nullable(),
      eta_s: z.number().nullable(),
    })),
  }),
}).openapi("SystemMetrics");

/** The overview. */
export type Overview = z.infer<typeof overviewSchema>;
