/** The workspace-actions function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";

/** Builds the workspace-actions app from its dependencies. */
export function createWorkspaceActionsApp(deps: FunctionDeps): FunctionApp {
  const app = createBaseApp(deps, "Move generated assets between the workspace and the library.");
  return app;
}
