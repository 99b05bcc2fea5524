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
  let client = generationClients.get(ep);
  if (!client) generationClients.set(ep, client = adapter.generation(ep));
  return client;
}

/**
 * Clients by endpoint. The registry hands out the same endpoint object while the provider's row
 * is unchanged, so an SDK client (and its option parsing, resources and fetch wrapper) is built
 * once per provider instead of once per call; a changed row or key is a new endpoint, hence a
 * new client, and the old one goes with its endpoint.
 */
const generationClients = new WeakMap<ProviderEndpoint, GenerationAdapter>();
const chatClients = new WeakMap<ProviderEndpoint, Map<string, ChatClient>>();

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
  let byOptions = chatClients.get(ep);
  if (!byOptions) chatClients.set(ep, byOptions = new Map());
  // ChatOptions holds strings and numbers only, so its JSON names it.
  const key = JSON.stringify([opts?.timeoutMs, opts?.appUrl, opts?.appTitle]);
  let client = byOptions.get(key);
  if (!client) byOptions.set(key, client = chat(ep, opts));
  return client;
}
