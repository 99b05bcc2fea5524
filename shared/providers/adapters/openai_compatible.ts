/** Any OpenAI-compatible provider (OpenAI itself, a self-hosted gateway): chat only. */
import type { ProviderAdapter } from "../adapter.ts";
import { createChatClient } from "../chat_client.ts";

/** OpenAI-compatible chat. */
export const openAiCompatibleAdapter: ProviderAdapter = {
  generates: [],
  chat: (ep, opts) => createChatClient(ep, opts),
};
