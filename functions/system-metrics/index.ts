// Composition root: the one place this function's dependencies are built.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { createSystemMetricsApp } from "./app.ts";

const deps = {
  ...buildFunctionDeps(loadConfig(Deno.env.toObject()), "system-metrics"),
  now: () => new Date(),
};
serveApp(createSystemMetricsApp(deps), deps);
