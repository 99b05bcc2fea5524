// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { createEnhancePromptApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "enhance-prompt");
serveApp(createEnhancePromptApp(deps), deps);
