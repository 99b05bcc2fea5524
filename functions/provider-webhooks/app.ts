/** The provider-webhooks function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";

/** Builds the provider-webhooks app from its dependencies. */
export function createProviderWebhooksApp(deps: FunctionDeps): FunctionApp {
  const app = createBaseApp(deps, "Signed callbacks from Replicate and OpenRouter.");
  return app;
}
