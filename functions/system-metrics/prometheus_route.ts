/** `GET /system-metrics/prometheus` (admin JWT or `METRICS_TOKEN`): the overview for scrapers. */
import { createRoute, z } from "@hono/zod-openapi";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { SystemMetricsDeps } from "./app.ts";
import { requireAdminOrMetricsToken } from "./metrics_token_guard.ts";
import { toPrometheus } from "./prometheus_format.ts";
import { readOverview } from "./read_overview.ts";

/** The exposition format's content type. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const route = createRoute({
  method: "get",
  path: "/prometheus",
  summary: "The overview in the Prometheus text exposition format",
  responses: {
    200: {
      description: "Gauges with HELP and TYPE lines",
      content: { "text/plain": { schema: z.string() } },
    },
    ...errorResponses(401, 403),
  },
});

/** Registers the route. */
export function registerPrometheus(app: FunctionApp, deps: SystemMetricsDeps): void {
  app.use("/prometheus", requireAdminOrMetricsToken(deps.auth, deps.config.METRICS_TOKEN));
  app.openapi(route, async (c) => {
    const text = toPrometheus(await readOverview(deps.db));
    return c.text(text, 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
      "cache-control": "no-store",
    });
  });
}
