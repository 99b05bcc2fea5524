/**
 * `GET /system-metrics/models?from=&to=&model_id=` (admin): daily rows of
 * `model_performance_logs` over an inclusive range of UTC days (default: the last 14 days).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asUser } from "../../shared/db/scopes.ts";
import * as metrics from "../../shared/db/tables/system_metrics.ts";
import { requireAdmin, userCaller } from "../../shared/http/auth/guards.ts";
import { type FunctionApp, validationError } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { SystemMetricsDeps } from "./app.ts";
import { addDays, daysBetween, daySchema, utcDay } from "./utc_day.ts";

/** The longest range one request may ask for, in days. */
export const MAX_RANGE_DAYS = 366;
// A year of days times the models one deployment plausibly runs.
const MAX_ROWS = 20_000;

const rowSchema = z.object({
  date: z.string(),
  model_id: z.guid(),
  model_key: z.string().nullable(),
  model_type: z.string().nullable(),
  total: z.number().int(),
  successful: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  success_rate: z.number().nullable(),
  avg_generation_time_ms: z.number().nullable(),
  p50_generation_time_ms: z.number().nullable(),
  p95_generation_time_ms: z.number().nullable(),
  avg_quality_rating: z.number().nullable(),
  total_processing_time_ms: z.number().nullable(),
  updated_at: z.string(),
}).openapi("ModelDay");

const route = createRoute({
  method: "get",
  path: "/models",
  summary: "Daily per-model rollup rows (admin)",
  request: {
    query: z.object({
      from: daySchema.optional(),
      to: daySchema.optional(),
      model_id: z.guid().optional(),
    }),
  },
  responses: {
    200: {
      description: "Rows, oldest day first",
      content: {
        "application/json": {
          schema: z.object({ from: z.string(), to: z.string(), rows: z.array(rowSchema) }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});

/** Registers the route. */
export function registerModelDays(app: FunctionApp, deps: SystemMetricsDeps): void {
  app.use("/models", requireAdmin(deps.auth));
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const to = q.to ?? (q.from ? addDays(q.from, 13) : utcDay(deps.now()));
    const from = q.from ?? addDays(to, -13);
    const span = daysBetween(from, to);
    if (span < 0) throw validationError([{ field: "to", message: "must not be before from" }]);
    if (span >= MAX_RANGE_DAYS) {
      throw validationError([{ field: "to", message: `range is over ${MAX_RANGE_DAYS} days` }]);
    }
    // The admin's own scope: model_performance_logs is readable by admins under RLS.
    const rows = await asUser(
      deps.db,
      userCaller(c).claims,
      (tx) => metrics.modelDays(tx, { from, to, modelId: q.model_id, limit: MAX_ROWS }),
    );
    return c.json({
      from,
      to,
      rows: rows.map((r) => ({
        date: r.date,
        model_id: r.api_model_id,
        model_key: r.model_key,
        model_type: r.model_type,
        total: r.total_generations,
        successful: r.successful_generations,
        failed: r.failed_generations,
        cancelled: r.cancelled_generations,
        success_rate: r.successful_generations + r.failed_generations > 0
          ? round4(r.successful_generations / (r.successful_generations + r.failed_generations))
          : null,
        avg_generation_time_ms: r.avg_generation_time_ms,
        p50_generation_time_ms: r.p50_generation_time_ms,
        p95_generation_time_ms: r.p95_generation_time_ms,
        avg_quality_rating: r.avg_quality_rating,
        total_processing_time_ms: r.total_processing_time_ms,
        updated_at: r.updated_at,
      })),
    }, 200);
  });
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
