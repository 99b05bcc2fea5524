/**
 * Chat completions through the official `openai` SDK, for OpenRouter (base URL from the row,
 * attribution headers, `models` fallbacks) and any OpenAI-compatible provider. Streaming
 * tolerates OpenRouter's `: OPENROUTER PROCESSING` comments (the SDK's SSE parser skips
 * comment lines) and turns a mid-stream error chunk into an `error` event; usage and cost come
 * from the final chunk.
 */
import type OpenAI from "openai";
import { lazy } from "../lazy.ts";
import { classifySdkError, providerFetch } from "./http_client.ts";
import type { ProviderEndpoint } from "./provider_config.ts";

/** One chat message. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A chat request. */
export interface ChatRequest {
  model: string;
  /** Further models for OpenRouter to fall back to, in order. */
  fallbackModels?: string[];
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** An opaque per-user id (a hash, never an email) for provider abuse tracking. */
  user?: string;
  signal?: AbortSignal;
}

/** Token usage and cost as reported by the provider. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Provider-reported cost (OpenRouter: USD credits), when given. */
  cost?: number;
}

/** A finished completion. */
export interface ChatResult {
  text: string;
  /** The model that actually answered (after fallbacks). */
  model: string;
  finishReason: string | null;
  usage?: ChatUsage;
  generationId?: string;
}

/** Events of a streamed completion. */
export type ChatStreamEvent =
  | { type: "delta"; text: string }
  | { type: "done"; result: ChatResult }
  | { type: "error"; message: string; code?: string | number; partial: ChatResult };

/** The chat adapter. */
export interface ChatClient {
  complete(req: ChatRequest): Promise<ChatResult>;
  stream(req: ChatRequest): AsyncGenerator<ChatStreamEvent>;
}

/** Options for {@link createChatClient}. */
export interface ChatClientOptions {
  timeoutMs?: number;
  /** OpenRouter attribution (`HTTP-Referer`, `X-Title`). */
  appUrl?: string;
  appTitle?: string;
  /** OpenRouter's extensions: attribution headers and `models` fallbacks (its adapter sets it). */
  openRouter?: boolean;
  fetch?: typeof fetch;
}

function usageOf(raw: unknown): ChatUsage | undefined {
  const u = raw as {
    prompt_tokens?: number;
    completion_tokens?: number;
    total_tokens?: number;
    cost?: number;
  } | undefined;
  if (!u || typeof u.prompt_tokens !== "number") return undefined;
  return {
    promptTokens: u.prompt_tokens,
    completionTokens: u.completion_tokens ?? 0,
    totalTokens: u.total_tokens ?? u.prompt_tokens + (u.completion_tokens ?? 0),
    cost: typeof u.cost === "number" ? u.cost : undefined,
  };
}

/** Builds a chat client for an OpenRouter or OpenAI-compatible provider. */
export function createChatClient(ep: ProviderEndpoint, opts: ChatClientOptions = {}): ChatClient {
  const name = ep.row.name;
  const openrouter = opts.openRouter === true;
  const client = lazy(async (): Promise<OpenAI> => {
    const { default: OpenAI } = await import("openai");
    return new OpenAI({
      apiKey: ep.apiKey ?? "unused",
      baseURL: ep.baseUrl,
      // Retries and fallbacks are ours (and OpenRouter's `models`), not the SDK's.
      maxRetries: 0,
      timeout: opts.timeoutMs ?? 60_000,
      defaultHeaders: openrouter
        ? {
          "HTTP-Referer": opts.appUrl ?? "https://example.invalid",
          "X-Title": opts.appTitle ?? "Generation backend",
        }
        : {},
      fetch: providerFetch({
        provider: name,
        headers: ep.row.auth_scheme === "bearer" ? {} : ep.authHeaders,
        timeoutMs: opts.timeoutMs ?? 60_000,
        fetch: opts.fetch,
      }),
    });
  });
  const body = (req: ChatRequest) => ({
    model: req.model,
    messages: req.messages,
    max_tokens: req.maxTokens,
    temperature: req.temperature,
    user: req.user,
    ...(openrouter && req.fallbackModels?.length
      ? { models: [req.model, ...req.fallbackModels] }
      : {}),
  });

  return {
    async complete(req) {
      try {
        const { data, response } = await (await client()).chat.completions.create({
          ...body(req),
          stream: false,
        }, { signal: req.signal })
          .withResponse();
        return {
          text: data.choices[0]?.message?.content ?? "",
          model: data.model ?? req.model,
          finishReason: data.choices[0]?.finish_reason ?? null,
          usage: usageOf(data.usage),
          generationId: response.headers.get("x-generation-id") ?? data.id,
        };
      } catch (err) {
        throw classifySdkError(name, err);
      }
    },
    async *stream(req) {
      const partial: ChatResult = { text: "", model: req.model, finishReason: null };
      let stream;
      try {
        const { data, response } = await (await client()).chat.completions.create({
          ...body(req),
          stream: true,
        }, { signal: req.signal })
          .withResponse();
        stream = data;
        partial.generationId = response.headers.get("x-generation-id") ?? undefined;
      } catch (err) {
        throw classifySdkError(name, err);
      }
      try {
        for await (const chunk of stream) {
          partial.model = chunk.model ?? partial.model;
          partial.generationId ??= chunk.id;
          const usage = usageOf((chunk as { usage?: unknown }).usage);
          if (usage) partial.usage = usage;
          const choice = chunk.choices?.[0];
          const text = choice?.delta?.content;
          if (text) {
            partial.text += text;
            yield { type: "delta", text };
          }
          // OpenRouter extends the finish reasons with "error" for failures after the first token.
          if ((choice?.finish_reason as string | null | undefined) === "error") {
            yield { type: "error", message: "The model stopped with an error", partial };
            return;
          }
          if (choice?.finish_reason) partial.finishReason = choice.finish_reason;
        }
      } catch (err) {
        // A mid-stream `{"error": ...}` chunk surfaces here as an APIError from the SDK.
        const e = err as { code?: string | number; status?: number; error?: { message?: string } };
        yield {
          type: "error",
          message: e.error?.message ?? "The stream failed",
          code: e.code ?? e.status,
          partial,
        };
        return;
      }
      yield { type: "done", result: partial };
    },
  };
}
