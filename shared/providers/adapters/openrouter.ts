/**
 * The OpenRouter adapter: chat completions (OpenAI-compatible, with OpenRouter's attribution
 * headers and `models` fallbacks), asynchronous video generation and its signed callbacks.
 */
import type { ProviderAdapter } from "../adapter.ts";
import { createChatClient } from "../chat_client.ts";
import { openRouterCallbacks, openRouterVideoGeneration } from "./openrouter_video.ts";

/** OpenRouter: video generation, video callbacks and chat. */
export const openRouterAdapter: ProviderAdapter = {
  generates: ["video"],
  generation: openRouterVideoGeneration,
  callbacks: openRouterCallbacks,
  chat: (ep, opts) => createChatClient(ep, { ...opts, openRouter: true }),
};
