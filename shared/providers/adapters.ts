/**
 * The one place a provider's `adapter` column is looked at: the map from adapter name to the
 * module that speaks its wire format. Everything else asks for a capability and gets a typed
 * refusal when the provider lacks it.
 */
import type {
  AdapterName,
  CallbackAdapter,
  ChatOptions,
  GenerationAdapter,
  ProviderAdapter,
} from "./adapter.ts";
import { openAiCompatibleAdapter } from "./adapters/openai_compatible.ts";
import { openRouterAdapter } from "./adapters/openrouter.ts";
import { replicateAdapter } from "./adapters/replicate.ts";
import type { ChatClient } from "./chat_client.ts";
import type { ProviderEndpoint, ProviderRow } from "./provider_config.ts";
import { ProviderError } from "./provider_error.ts";

/** Adapter name → module. Adding a provider is one module, one line here and one row. */
export const ADAPTERS: Record<AdapterName, ProviderAdapter> = {
  replicate: replicateAdapter,
  openrouter: openRouterAdapter,
  openai_compatible: openAiCompatibleAdapter,
};

function unsupported(row: ProviderRow, capability: string): ProviderError {
  return new ProviderError(
    row.name,
    "rejected",
    `Provider ${row.name} (${row.adapter}) cannot ${capability}`,
  );
}

/**
 * The provider's generation capability for a modality.
 * @throws {ProviderError} `rejected` when the adapter does not generate that modality
 */
export function generationFor(ep: ProviderEndpoint, modality: string): GenerationAdapter {
  const adapter = ADAPTERS[ep.row.adapter];
  if (!adapter.generation || !adapter.generates.includes(modality as "image")) {
    throw unsupported(ep.row, `generate ${modality}`);
  }
  return adapter.generation(ep);
}

/** The provider's signed-callback capability, or undefined when it sends none. */
export function callbacksFor(row: ProviderRow): CallbackAdapter | undefined {
  return ADAPTERS[row.adapter].callbacks;
}

/**
 * The provider's chat capability.
 * @throws {ProviderError} `rejected` when the adapter has none
 */
export function chatFor(ep: ProviderEndpoint, opts?: ChatOptions): ChatClient {
  const chat = ADAPTERS[ep.row.adapter].chat;
  if (!chat) throw unsupported(ep.row, "chat");
  return chat(ep, opts);
}
