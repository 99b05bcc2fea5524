/**
 * `GET /system-metrics/dashboard`: the ops dashboard's page, which holds no data and so needs no
 * credentials (a browser cannot send a bearer token on a navigation), and
 * `GET /system-metrics/dashboard/data` (admin): what the page draws, the overview and the series
 * of the last 14 days, fetched by the page with the admin's token.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { asService } from "../../shared/db/scopes.ts";
import * as metrics from "../../shared/db/tables/system_metrics.ts";
import { requireAdmin } from "../../shared/http/auth/guards.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { errorResponses } from "../../shared/http/error_envelope.ts";
import type { SystemMetricsDeps } from "./app.ts";
import { dashboardCsp, dashboardPage } from "./dashboard_page.ts";
import { overviewSchema } from "./overview_schema.ts";
import { readOverview } from "./read_overview.ts";

/** Days the dashboard shows, today included. */
export const DASHBOARD_DAYS = 14;

const pageRoute = createRoute({
  method: "get",
  path: "/dashboard",
  summary: "The ops dashboard (a page without data; open it as …/dashboard#token=<admin JWT>)",
  responses: { 200: { description: "HTML", content: { "text/html": { schema: z.string() } } } },
});

const dataRoute = createRoute({
  method: "get",
  path: "/dashboard/data",
  summary: "What the dashboard draws: the overview and the last 14 days (admin)",
  responses: {
    200: {
      description: "Overview and day series",
      content: {
        "application/json": {
          schema: z.object({ overview: overviewSchema, daily: z.record(z.string(), z.unknown()) }),
        },
      },
    },
    ...errorResponses(401, 403),
  },
});

/** Registers both routes. */
export function registerDashboard(app: FunctionApp, deps: SystemMetricsDeps): void {
  app.openapi(pageRoute, (c) => {
    const nonce = crypto.randomUUID().replace(/-/g, "");
    return c.html(dashboardPage(nonce), 200, {
      "content-security-policy": dashboardCsp(nonce),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
    });
  });
  app.use("/dashboard/data", requireAdmin(deps.auth));
  app.openapi(dataRoute, async (c) => {
    const [overview, [row]] = await Promise.all([
      readOverview(deps.db),
      // Service path: admin routes read aggregate data across users (service_role-only function).
      asService(deps.db, (tx) => metrics.daily(tx, DASHBOARD_DAYS)),
    ]);
    return c.json({ overview, daily: row.daily }, 200, { "cache-control": "no-store" });
  });
}
