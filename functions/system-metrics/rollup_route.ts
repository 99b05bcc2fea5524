/**
 * `POST /system-metrics/rollup` (service role or admin): recomputes the per-model daily rows of
 * one UTC day, or of yesterday and today when no day is given (what pg_cron runs on its own).
 * Idempotent.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asService } from "../../shared/db/scopes.ts";
import * as metrics from "../../shared/db/tables/system_metrics.ts";
import { requireServiceOrAdmin } from "../../shared/http/auth/guards.ts";
import { type FunctionApp, validationError } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { SystemMetricsDeps } from "./app.ts";
import { addDays, daySchema, utcDay } from "./utc_day.ts";
import { jsonBody } from "../../shared/http/route_parts.ts";

const route = createRoute({
  method: "post",
  path: "/rollup",
  summary: "Recompute model_performance_logs for a UTC day (default yesterday and today)",
  request: {
    body: jsonBody(z.strictObject({ day: daySchema.optional() }), { required: false }),
  },
  responses: {
    200: {
      description: "Models with a row, per day",
      content: {
        "application/json": {
          schema: z.object({
            days: z.array(z.object({ day: z.string(), models: z.number().int() })),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});

/** Registers the route. */
export function registerRollup(app: FunctionApp, deps: SystemMetricsDeps): void {
  app.use("/rollup", requireServiceOrAdmin(deps.auth));
  app.openapi(route, async (c) => {
    const today = utcDay(deps.now());
    const day = c.req.valid("json")?.day;
    if (day && day > today) {
      throw validationError([{ field: "day", message: "must not be after today (UTC)" }]);
    }
    c.set("audit", { action: "system_metrics.rollup", resourceType: "model_performance_logs" });
    const days = day ? [day] : [addDays(today, -1), today];
    // Service path: the rollup aggregates every user's jobs and is executable by service_role only.
    const results = await asService(deps.db, (tx) => days.map((d) => metrics.rollup(tx, d)));
    return c.json({ days: days.map((d, i) => ({ day: d, models: results[i][0].models })) }, 200);
  });
}
