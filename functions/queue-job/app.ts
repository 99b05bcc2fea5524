/** The queue-job function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { registerCancelJob } from "./cancel_route.ts";
import { registerCreateJob } from "./create_job_route.ts";
import { registerDispatch } from "./dispatch_route.ts";
import { registerReadJobs } from "./read_job_routes.ts";

/** What this function is built from. */
export interface QueueJobDeps extends FunctionDeps {
  jobs: JobDeps;
}

/** Builds the queue-job app from its dependencies. */
export function createQueueJobApp(deps: QueueJobDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Create, list and cancel image and video generation jobs; dispatch them to providers.",
    16_384,
  );
  registerCreateJob(app, deps);
  registerReadJobs(app, deps);
  registerCancelJob(app, deps);
  registerDispatch(app, deps);
  return app;
}
