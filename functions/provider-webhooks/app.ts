/** The provider-webhooks function: signed callbacks from Replicate and OpenRouter (no JWT). */
import { createBaseApp, type FunctionDeps } from "../../shared/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { registerOpenRouterWebhooks } from "./openrouter_routes.ts";
import { registerReplicateWebhook } from "./replicate_route.ts";

/** Builds the provider-webhooks app from its dependencies. */
export function createProviderWebhooksApp(deps: FunctionDeps, jobs: JobDeps): FunctionApp {
  const app = createBaseApp(deps, "Signed callbacks from Replicate and OpenRouter.", 1_048_576);
  registerReplicateWebhook(app, jobs);
  registerOpenRouterWebhooks(app, jobs);
  return app;
}
