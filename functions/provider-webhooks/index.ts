// Composition root: the one place this function's dependencies are built.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { buildJobDeps } from "../../shared/jobs/job_deps.ts";
import { createProviderWebhooksApp } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const base = buildFunctionDeps(config, "provider-webhooks");
const deps = {
  ...base,
  jobs: buildJobDeps({ ...base, env: (n) => Deno.env.get(n) }),
};
serveApp(createProviderWebhooksApp(deps), deps);
