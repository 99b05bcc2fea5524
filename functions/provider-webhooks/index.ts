// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/function_deps.ts";
import { createProviderWebhooksApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "provider-webhooks");
serveApp(createProviderWebhooksApp(deps), deps);
