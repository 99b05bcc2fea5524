/** The system-metrics function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { registerDashboard } from "./dashboard_route.ts";
import { registerModelDays } from "./model_days_route.ts";
import { registerOverview } from "./overview_route.ts";
import { registerPrometheus } from "./prometheus_route.ts";
import { registerPrune } from "./prune_route.ts";
import { registerRollup } from "./rollup_route.ts";

/** What this function is built from. */
export interface SystemMetricsDeps extends FunctionDeps {
  /** The clock (UTC days for rollups and ranges). */
  now: () => Date;
}

/** Builds the system-metrics app from its dependencies. */
export function createSystemMetricsApp(deps: SystemMetricsDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Admin metrics from the database, daily per-model rollups, a Prometheus endpoint, an ops dashboard and retention.",
  );
  registerOverview(app, deps);
  registerModelDays(app, deps);
  registerRollup(app, deps);
  registerPrometheus(app, deps);
  registerDashboard(app, deps);
  registerPrune(app, deps);
  return app;
}
