/** The queue-job function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { registerCancelAndDispatch } from "./cancel_and_dispatch_routes.ts";
import { registerCreateJob } from "./create_job_route.ts";
import { registerReadJobs } from "./read_job_routes.ts";

/** Builds the queue-job app from its dependencies. */
export function createQueueJobApp(deps: FunctionDeps, jobs: JobDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Create, list and cancel image and video generation jobs; dispatch them to providers.",
    16_384,
  );
  registerCreateJob(app, deps, jobs);
  registerReadJobs(app, deps, jobs);
  registerCancelAndDispatch(app, deps, jobs);
  return app;
}
