/** The system-metrics function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";

/** Builds the system-metrics app from its dependencies. */
export function createSystemMetricsApp(deps: FunctionDeps): FunctionApp {
  const app = createBaseApp(deps, "Admin metrics, rollups and maintenance.");
  return app;
}
