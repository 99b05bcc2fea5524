// Composition root: the one place this function's dependencies are built.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { serviceObjectStore } from "../../shared/storage/service_store.ts";
import { createWorkspaceActionsApp } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const base = buildFunctionDeps(config, "workspace-actions");
const deps = {
  ...base,
  store: serviceObjectStore(config, base.log),
};
serveApp(createWorkspaceActionsApp(deps), deps);
