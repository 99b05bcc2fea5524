/** The playground-chat function's routes. */
import type { ChatDeps } from "../../shared/chat/chat_deps.ts";
import { createBaseApp, type FunctionDeps } from "../../shared/http/function_deps.ts";
import type { FunctionApp } from "../../shared/http/create_app.ts";
import { registerConversations } from "./conversation_routes.ts";
import { registerMessages } from "./message_routes.ts";
import { registerReferenceChat } from "./reference_route.ts";

/** What this function is built from. */
export interface PlaygroundChatDeps extends FunctionDeps {
  chat: ChatDeps;
}

/** Builds the playground-chat app from its dependencies. */
export function createPlaygroundChatApp(deps: PlaygroundChatDeps): FunctionApp {
  const app = createBaseApp(
    deps,
    "Chat with characters and assistants: conversations, history and streamed replies.",
    32_768,
  );
  registerConversations(app, deps);
  registerMessages(app, deps);
  registerReferenceChat(app, deps);
  return app;
}
