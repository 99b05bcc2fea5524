// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { createSystemMetricsApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "system-metrics");
serveApp(createSystemMetricsApp(deps), deps);
