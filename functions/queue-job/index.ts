// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/function_deps.ts";
import { createQueueJobApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "queue-job");
serveApp(createQueueJobApp(deps), deps);
