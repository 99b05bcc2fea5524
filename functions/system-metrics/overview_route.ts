/**
 * `GET /system-metrics` (admin): the overview. The root `POST /system-metrics` answers the same,
 * since the reference frontend calls the function with `functions.invoke` (a POST).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireAdmin } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { SystemMetricsDeps } from "./app.ts";
import { overviewSchema } from "./overview_schema.ts";
import { readOverview } from "./read_overview.ts";
import { jsonBody } from "../../shared/http/route_parts.ts";

const ok = {
  200: {
    description: "The overview (fields: docs/metrics.md)",
    content: { "application/json": { schema: overviewSchema } },
  },
  ...errorResponses(400, 401, 403),
};

const getRoute = createRoute({
  method: "get",
  path: "/",
  summary: "Jobs, providers, credits, storage, users and queues, from the database (admin)",
  responses: ok,
});

const postRoute = createRoute({
  method: "post",
  path: "/",
  summary: "The same overview for the reference frontend's POST (any JSON object body, ignored)",
  request: {
    body: jsonBody(z.looseObject({}), { required: false }),
  },
  responses: ok,
});

/** Registers both routes. */
export function registerOverview(app: FunctionApp, deps: SystemMetricsDeps): void {
  app.use("/", requireAdmin(deps.auth));
  app.openapi(getRoute, async (c) => c.json(await readOverview(deps.db), 200));
  app.openapi(postRoute, async (c) => {
    // Validated (a JSON object, if any body) so hostile bodies get the usual 400, then ignored.
    c.req.valid("json");
    c.set("audit", { action: "system_metrics.read", resourceType: "system_metrics" });
    return c.json(await readOverview(deps.db), 200);
  });
}
