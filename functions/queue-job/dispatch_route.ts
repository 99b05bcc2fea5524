/**
 * `POST /queue-job/dispatch` (service role): one bounded dispatcher + reconciler run, called
 * every minute by the scheduler (Supabase Cron in production).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireService } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import { runDispatch } from "../../shared/jobs/dispatcher.ts";
import type { QueueJobDeps } from "./app.ts";
import { jsonBody } from "../../shared/http/route_parts.ts";

const dispatchRoute = createRoute({
  method: "post",
  path: "/dispatch",
  summary: "One dispatcher and reconciler run (service role)",
  request: {
    body: jsonBody(
      z.strictObject({
        limit: z.number().int().min(1).max(500).optional(),
        lease_seconds: z.number().int().min(5).max(3600).optional(),
        webhook_overdue_seconds: z.number().int().min(0).max(86400).optional(),
      }),
      { required: false },
    ),
  },
  responses: {
    200: {
      description: "Counts",
      content: {
        "application/json": {
          schema: z.object({
            claimed: z.number(),
            submitted: z.number(),
            released: z.number(),
            retried: z.number(),
            failed: z.number(),
            reconciled: z.number(),
            expired: z.number(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});

/** Registers the route. */
export function registerDispatch(app: FunctionApp, deps: QueueJobDeps): void {
  const { jobs } = deps;
  app.use("/dispatch", requireService(deps.auth));
  app.openapi(dispatchRoute, async (c) => {
    const body = c.req.valid("json") ?? {};
    const counts = await runDispatch(jobs, {
      limit: body.limit,
      leaseSeconds: body.lease_seconds,
      webhookOverdueSeconds: body.webhook_overdue_seconds,
    });
    return c.json(counts, 200);
  });
}
