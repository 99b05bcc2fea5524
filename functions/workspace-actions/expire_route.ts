/**
 * `POST /maintenance/expire` (service role): deletes expired workspace assets, rows and objects,
 * in bounded batches. Called hourly by the scheduler (Supabase Cron + pg_net in production, the
 * dev stack's scheduler locally); idempotent, and two runs at once take disjoint batches.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireService } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { expireAssets } from "./expire_assets.ts";
import { jsonBody, jsonResponse } from "../../shared/http/route_parts.ts";

const route = createRoute({
  method: "post",
  path: "/maintenance/expire",
  summary: "Delete expired workspace assets and their objects (service role)",
  request: {
    body: jsonBody(
      z.strictObject({
        batch_size: z.number().int().min(1).max(1000).optional(),
        time_budget_ms: z.number().int().min(100).max(55_000).optional(),
      }),
      { required: false },
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        expired: z.number().int(),
        objects_removed: z.number().int(),
        batches: z.number().int(),
        refused: z.number().int(),
        more: z.boolean(),
      }),
      "Counts",
    ),
    ...errorResponses(400, 401, 403),
  },
});

/** Registers the route. */
export function registerExpireRoute(app: FunctionApp, deps: WorkspaceActionsDeps): void {
  app.use("/maintenance/expire", requireService(deps.auth));
  app.openapi(route, async (c) => {
    const body = c.req.valid("json") ?? {};
    const result = await expireAssets(deps, {
      batchSize: body.batch_size,
      budgetMs: body.time_budget_ms,
    });
    return c.json(result, 200);
  });
}
