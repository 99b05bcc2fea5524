// Entrypoint: wiring only.
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { createPlaygroundChatApp } from "./app.ts";

const deps = buildFunctionDeps(loadConfig(Deno.env.toObject()), "playground-chat");
serveApp(createPlaygroundChatApp(deps), deps);
