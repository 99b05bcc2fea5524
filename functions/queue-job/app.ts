/** The queue-job function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";

/** Builds the queue-job app from its dependencies. */
export function createQueueJobApp(deps: FunctionDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Create, list and cancel image and video generation jobs; dispatch them to providers.",
  );
  return app;
}
