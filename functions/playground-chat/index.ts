// Composition root: the one place this function's dependencies are built.
import { buildChatDeps } from "../../shared/chat/chat_deps.ts";
import { loadConfig } from "../../shared/config.ts";
import { buildFunctionDeps, serveApp } from "../../shared/http/function_deps.ts";
import { createPlaygroundChatApp } from "./app.ts";

const config = loadConfig(Deno.env.toObject());
const base = buildFunctionDeps(config, "playground-chat");
const deps = {
  ...base,
  chat: buildChatDeps({ ...base, env: (n) => Deno.env.get(n) }),
};
serveApp(createPlaygroundChatApp(deps), deps);
