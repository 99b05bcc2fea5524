/** The enhance-prompt function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";

/** Builds the enhance-prompt app from its dependencies. */
export function createEnhancePromptApp(deps: FunctionDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Improve generation prompts with a language model, using database-driven templates.",
  );
  return app;
}
