// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { createWorkspaceActionsApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "workspace-actions");
serveApp(createWorkspaceActionsApp(deps), deps);
