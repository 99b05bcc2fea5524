/** The playground-chat function's routes. */
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";

/** Builds the playground-chat app from its dependencies. */
export function createPlaygroundChatApp(deps: FunctionDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Chat with characters and assistants through OpenRouter, streamed.",
  );
  return app;
}
