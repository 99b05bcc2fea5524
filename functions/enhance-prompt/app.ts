/** The enhance-prompt function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import type { EnhanceDeps } from "../../shared/prompts/enhance.ts";
import { registerCacheRefresh } from "./cache_route.ts";
import { registerEnhance } from "./enhance_route.ts";

/** What this function is built from. */
export interface EnhancePromptDeps extends FunctionDeps {
  enhance: EnhanceDeps;
}

/** Builds the enhance-prompt app from its dependencies. */
export function createEnhancePromptApp(deps: EnhancePromptDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Improve generation prompts with a language model, using database-driven templates.",
    16_384,
  );
  registerEnhance(app, deps);
  registerCacheRefresh(app, deps);
  return app;
}
