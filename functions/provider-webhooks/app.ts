/** The provider-webhooks function: signed callbacks from Replicate and OpenRouter (no JWT). */
import { createBaseApp, type FunctionDeps } from "../../shared/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { limitInFlight } from "../../shared/http/in_flight_limit.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { registerOpenRouterWebhooks } from "./openrouter_routes.ts";
import { registerReplicateWebhook } from "./replicate_route.ts";

/** Builds the provider-webhooks app from its dependencies. */
export function createProviderWebhooksApp(deps: FunctionDeps, jobs: JobDeps): FunctionApp {
  const app = createBaseApp(deps, "Signed callbacks from Replicate and OpenRouter.", 1_048_576);
  // One budget for every callback route: each holds a download and an upload while it runs.
  const limit = limitInFlight({ max: deps.config.WEBHOOK_MAX_IN_FLIGHT });
  app.use("/replicate", limit);
  app.use("/openrouter", limit);
  app.use("/openrouter/*", limit);
  registerReplicateWebhook(app, jobs);
  registerOpenRouterWebhooks(app, jobs);
  return app;
}
