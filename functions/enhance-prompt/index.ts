// Composition root: the one place this function's dependencies are built.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { buildEnhanceDeps } from "../../shared/prompts/enhance_deps.ts";
import { createEnhancePromptApp } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const base = buildFunctionDeps(config, "enhance-prompt");
const deps = {
  ...base,
  enhance: buildEnhanceDeps({ ...base, env: (n) => Deno.env.get(n) }),
};
serveApp(createEnhancePromptApp(deps), deps);
