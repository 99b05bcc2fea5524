/**
 * `POST /system-metrics/maintenance/prune` (service role): retention of `webhook_events`,
 * `api_usage_logs` and idempotency keys past their `system_config` periods. pg_cron runs the same
 * SQL every 10 minutes; this endpoint lets an operator clear a backlog. It calls the SQL function
 * once per transaction (a bounded batch per table each time) until nothing is left or the time
 * budget is spent, so locks and WAL stay small whatever the backlog.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asService } from "../../shared/db/scopes.ts";
import * as metrics from "../../shared/db/tables/system_metrics.ts";
import { requireService } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { SystemMetricsDeps } from "./app.ts";
import { jsonBody } from "../../shared/http/route_parts.ts";

// Each call's own budget: one short transaction, then a commit.
const CALL_BUDGET_MS = 1_000;

const countsSchema = z.object({
  webhook_events_deleted: z.number().int(),
  api_usage_logs_deleted: z.number().int(),
  idempotency_keys_cleared: z.number().int(),
  batches: z.number().int(),
  transactions: z.number().int(),
  done: z.boolean(),
});

const route = createRoute({
  method: "post",
  path: "/maintenance/prune",
  summary: "Delete expired webhook events and API usage logs, clear old idempotency keys",
  request: {
    body: jsonBody(
      z.strictObject({
        batch_size: z.number().int().min(1).max(50_000).optional(),
        time_budget_ms: z.number().int().min(0).max(25_000).optional(),
      }),
      { required: false },
    ),
  },
  responses: {
    200: { description: "Counts", content: { "application/json": { schema: countsSchema } } },
    ...errorResponses(400, 401, 403),
  },
});

/** Registers the route. */
export function registerPrune(app: FunctionApp, deps: SystemMetricsDeps): void {
  app.use("/maintenance/prune", requireService(deps.auth));
  app.openapi(route, async (c) => {
    const body = c.req.valid("json") ?? {};
    const batchSize = body.batch_size ?? 5_000;
    const deadline = performance.now() + (body.time_budget_ms ?? 20_000);
    const total = {
      webhook_events_deleted: 0,
      api_usage_logs_deleted: 0,
      idempotency_keys_cleared: 0,
      batches: 0,
      transactions: 0,
      done: false,
    };
    do {
      const budget = Math.max(
        0,
        Math.min(CALL_BUDGET_MS, Math.floor(deadline - performance.now())),
      );
      // Service path: retention deletes every user's expired rows; service_role only.
      const [row] = await asService(deps.db, (tx) => metrics.purge(tx, batchSize, budget));
      total.webhook_events_deleted += row.counts.webhook_events_deleted;
      total.api_usage_logs_deleted += row.counts.api_usage_logs_deleted;
      total.idempotency_keys_cleared += row.counts.idempotency_keys_cleared;
      total.batches += row.counts.batches;
      total.transactions += 1;
      total.done = row.counts.done;
    } while (!total.done && performance.now() < deadline);
    return c.json(total, 200);
  });
}
