/** The provider-webhooks function: signed callbacks from providers (no JWT). */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { limitInFlight } from "../../shared/http/in_flight_limit.ts";
import type { JobDeps } from "../../shared/jobs/job_deps.ts";
import { registerBroadcastRoute } from "./broadcast_route.ts";
import { registerCallbackRoute } from "./callback_route.ts";

/** What this function is built from. */
export interface ProviderWebhooksDeps extends FunctionDeps {
  jobs: JobDeps;
}

/** Builds the provider-webhooks app from its dependencies. */
export function createProviderWebhooksApp(deps: ProviderWebhooksDeps): FunctionApp {
  const app = createBaseApp(deps, "Signed callbacks from Replicate and OpenRouter.", 1_048_576);
  // One budget for every callback route: each holds a download and an upload while it runs.
  const limit = limitInFlight({ max: deps.config.WEBHOOK_MAX_IN_FLIGHT });
  app.on("POST", ["/:provider", "/openrouter/broadcast"], limit);
  registerBroadcastRoute(app, deps);
  registerCallbackRoute(app, deps);
  return app;
}
