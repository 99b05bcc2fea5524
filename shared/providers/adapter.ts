/**
 * What a provider can do, one interface per capability, and what every adapter module exports.
 * Code outside `shared/providers/` never asks which provider it talks to: it asks the adapter
 * map (`adapters.ts`) for the capability it needs. Adding a provider is one adapter module, one
 * line in that map and one `api_providers` row.
 */
import type { ChatClient } from "./chat_client.ts";
import type { ProviderEndpoint, ProviderRow } from "./provider_config.ts";
import type { ModelRow } from "./registry.ts";
import type { ProviderReport } from "./report.ts";
import type { Verification } from "./webhook_signatures.ts";

/** A generation the provider accepted. */
export interface Submission {
  /** The provider's id for it (Replicate prediction id, OpenRouter video job id). */
  predictionId: string;
  report: ProviderReport;
}

/** Image and video generation: submit, poll, cancel; reports in our terms. */
export interface GenerationAdapter {
  submit(req: {
    model: Pick<ModelRow, "model_key" | "version" | "modality">;
    input: Record<string, unknown>;
    webhookUrl: string;
  }): Promise<Submission>;
  get(predictionId: string): Promise<ProviderReport>;
  /** Best effort; providers that cannot cancel resolve without doing anything. */
  cancel(predictionId: string): Promise<void>;
}

/** One signed callback, parsed into our terms. */
export interface CallbackEvent {
  predictionId: string;
  /** The sender's id for this delivery, taken only from what the signature covers. */
  deliveryId: string;
  /** The provider's own status word, kept with the delivery record. */
  eventType: string;
  report: ProviderReport;
}

/** Signed callbacks: verify the raw body, then parse it. */
export interface CallbackAdapter {
  verify(secret: string, headers: Headers, body: Uint8Array, nowSeconds: number): Promise<
    Verification
  >;
  /**
   * Parses a verified body (already checked for NUL, surrogates and depth).
   * @throws {TypeError} when it is not an event this adapter understands
   */
  parse(headers: Headers, json: unknown): CallbackEvent;
}

/** Options a chat client is built with. */
export interface ChatOptions {
  timeoutMs?: number;
  appUrl?: string;
  appTitle?: string;
}

/** One adapter module: the capabilities its provider offers. */
export interface ProviderAdapter {
  /** Media modalities it generates. */
  generates: readonly ("image" | "video")[];
  generation?: (ep: ProviderEndpoint) => GenerationAdapter;
  callbacks?: CallbackAdapter;
  chat?: (ep: ProviderEndpoint, opts?: ChatOptions) => ChatClient;
}

/** The adapter names `api_providers.adapter` allows. */
export type AdapterName = ProviderRow["adapter"];
