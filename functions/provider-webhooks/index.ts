// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/function_deps.ts";
import { buildJobDeps } from "../../shared/jobs/build_job_deps.ts";
import { createProviderWebhooksApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "provider-webhooks");
serveApp(createProviderWebhooksApp(deps, buildJobDeps(deps, (name) => Deno.env.get(name))), deps);
