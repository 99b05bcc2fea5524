/**
 * OpenRouter's asynchronous video API (`POST /videos` with `callback_url`, status, content
 * download) through the same provider fetch as the other adapters, and its signed callbacks
 * (`X-OpenRouter-Signature`).
 */
import { z } from "zod";
import { providerFetch } from "../http_client.ts";
import { failureForStatus, parseRetryAfter, ProviderError } from "../provider_error.ts";
import type { ProviderEndpoint } from "../provider_config.ts";
import type { CallbackAdapter, GenerationAdapter } from "../adapter.ts";
import type { ProviderReport } from "../report.ts";
import { verifyOpenRouterCallback } from "../webhook_signatures.ts";

/** Terminal and running statuses of a video job. */
export const VIDEO_STATUSES = [
  "pending",
  "queued",
  "in_progress",
  "processing",
  "completed",
  "failed",
  "cancelled",
  "expired",
] as const;

const videoJobSchema = z.object({
  id: z.string().min(1),
  status: z.enum(VIDEO_STATUSES),
  error: z.unknown().optional(),
  unsigned_urls: z.array(z.string()).optional(),
  urls: z.array(z.string()).optional(),
  usage: z.object({ cost: z.number().optional() }).loose().optional(),
}).loose();

/** A video job. */
export interface VideoJob {
  id: string;
  status: typeof VIDEO_STATUSES[number];
  outputs: string[];
  error: string | null;
  cost?: number;
}

/** Parses a job body (API response or the `data` of a callback). */
export function parseVideoJob(raw: unknown): VideoJob {
  const j = videoJobSchema.parse(raw);
  return {
    id: j.id,
    status: j.status,
    outputs: j.unsigned_urls ?? j.urls ?? [],
    error: j.error == null ? null : typeof j.error === "string" ? j.error : JSON.stringify(j.error),
    cost: j.usage?.cost,
  };
}

/** OpenRouter video job statuses in our terms. */
export function reportFromVideoJob(j: VideoJob): ProviderReport {
  const state = j.status === "completed"
    ? "succeeded"
    : j.status === "failed" || j.status === "expired"
    ? "failed"
    : j.status === "cancelled"
    ? "cancelled"
    : "running";
  return {
    state,
    outputs: j.outputs,
    error: j.error,
    usage: j.cost !== undefined ? { costUsd: j.cost } : undefined,
  };
}

/** OpenRouter's video API. */
export interface OpenRouterVideoClient {
  create(
    req: { model: string; input: Record<string, unknown>; callbackUrl?: string },
  ): Promise<VideoJob>;
  get(id: string): Promise<VideoJob>;
  /** Streams output `index` of a completed job. */
  download(id: string, index: number): Promise<Response>;
}

/** Builds the video client for a resolved OpenRouter provider. */
export function createOpenRouterVideoClient(
  ep: ProviderEndpoint,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): OpenRouterVideoClient {
  const name = ep.row.name;
  const http = providerFetch({
    provider: name,
    headers: ep.authHeaders,
    timeoutMs: opts.timeoutMs ?? 15_000,
    fetch: opts.fetch,
  });
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await http(`${ep.baseUrl}${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...init.headers },
    });
    if (res.ok) return res;
    const status = Number(res.headers.get("x-upstream-status") ?? res.status);
    await res.body?.cancel();
    throw new ProviderError(name, failureForStatus(status), `Provider answered HTTP ${status}`, {
      status,
      retryAfter: parseRetryAfter(res.headers.get("retry-after")),
    });
  };
  const job = async (res: Response) => {
    try {
      return parseVideoJob(await res.json());
    } catch (err) {
      throw new ProviderError(
        name,
        "invalid_response",
        "Provider returned an unexpected video job",
        { cause: err },
      );
    }
  };
  return {
    create: async (req) =>
      job(
        await request("/videos", {
          method: "POST",
          body: JSON.stringify({ ...req.input, model: req.model, callback_url: req.callbackUrl }),
        }),
      ),
    get: async (id) => job(await request(`/videos/${encodeURIComponent(id)}`)),
    download: (id, index) => request(`/videos/${encodeURIComponent(id)}/content?index=${index}`),
  };
}

/** Video generation on OpenRouter (its video jobs cannot be cancelled). */
export function openRouterVideoGeneration(ep: ProviderEndpoint): GenerationAdapter {
  const client = createOpenRouterVideoClient(ep);
  return {
    submit: async ({ model, input, webhookUrl }) => {
      const j = await client.create({ model: model.model_key, input, callbackUrl: webhookUrl });
      return { predictionId: j.id, report: reportFromVideoJob(j) };
    },
    get: async (id) => reportFromVideoJob(await client.get(id)),
    cancel: async () => {},
  };
}

/**
 * Signed video callbacks. OpenRouter's `X-OpenRouter-Idempotency-Key` is `<job id>-<status>` but
 * sits outside the signature: the same pair is rebuilt from the signed body, so a replay with a
 * fresh header is still the same delivery.
 */
export const openRouterCallbacks: CallbackAdapter = {
  verify: (secret, headers, body, now) =>
    verifyOpenRouterCallback(secret, headers.get("x-openrouter-signature"), body, now),
  parse: (_headers, json) => {
    const video = parseVideoJob((json as { data?: unknown } | null)?.data);
    return {
      predictionId: video.id,
      deliveryId: `${video.id}-${video.status}`,
      eventType: video.status,
      report: reportFromVideoJob(video),
    };
  },
};
