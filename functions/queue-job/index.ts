// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/function_deps.ts";
import { buildJobDeps } from "../../shared/jobs/build_job_deps.ts";
import { createQueueJobApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "queue-job");
serveApp(createQueueJobApp(deps, buildJobDeps(deps, (name) => Deno.env.get(name))), deps);
