/**
 * OpenRouter's asynchronous video API (`POST /videos` with `callback_url`, status, content
 * download), through the same provider fetch as the other adapters.
 */
import { z } from "zod";
import { providerFetch } from "./http_client.ts";
import { failureForStatus, parseRetryAfter, ProviderError } from "./provider_error.ts";
import type { ProviderEndpoint } from "./provider_config.ts";

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

/** The OpenRouter video adapter. */
export interface OpenRouterVideoAdapter {
  create(
    req: { model: string; input: Record<string, unknown>; callbackUrl?: string },
  ): Promise<VideoJob>;
  get(id: string): Promise<VideoJob>;
  /** Streams output `index` of a completed job. */
  download(id: string, index: number): Promise<Response>;
}

/** Builds the adapter for a resolved OpenRouter provider. */
export function createOpenRouterVideoAdapter(
  ep: ProviderEndpoint,
  opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
): OpenRouterVideoAdapter {
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
