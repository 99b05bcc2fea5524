/**
 * The `api_usage_logs` table client: one row per provider call (latency, status, tokens,
 * estimated cost); the actual cost is filled in later from the webhook, the stream's usage chunk
 * or a Broadcast trace. Payload summaries are for operators: never secrets, never NSFW prompt
 * text. Service path only (users read their own rows, never write them); statements are
 * returned unsent.
 */
import type { Tx } from "../client.ts";

/** A provider call to record. */
export interface ProviderCall {
  providerId: string;
  modelId?: string | null;
  userId?: string | null;
  jobId?: string | null;
  requestType: "image" | "video" | "chat" | "enhancement" | "moderation" | "other";
  endpointPath?: string;
  providerRequestId?: string | null;
  responseStatus?: number | null;
  latencyMs: number;
  tokensInput?: number;
  tokensOutput?: number;
  costUsdEstimated?: number;
  costUsdActual?: number;
  costCredits?: number;
  error?: string | null;
  metadata?: Record<string, unknown>;
}

/** The row for one call (a provider's figures kept only as far as the columns hold them). */
export function insertCall(tx: Tx, call: ProviderCall) {
  const tokensIn = storable.tokens(call.tokensInput);
  const tokensOut = storable.tokens(call.tokensOutput);
  const tokensTotal = tokensIn !== undefined || tokensOut !== undefined
    ? storable.tokens((tokensIn ?? 0) + (tokensOut ?? 0))
    : undefined;
  return tx<{ id: string }[]>`
    insert into public.api_usage_logs (provider_id, model_id, user_id, job_id, request_type, endpoint_path,
      provider_request_id, response_status, response_time_ms, tokens_input, tokens_output, tokens_total,
      cost_usd_estimated, cost_usd_actual, cost_credits, error_message, provider_metadata)
    values (${call.providerId}, ${call.modelId ?? null}, ${call.userId ?? null}, ${
    call.jobId ?? null
  }, ${call.requestType},
      ${call.endpointPath ?? null}, ${call.providerRequestId ?? null}, ${
    call.responseStatus ?? null
  },
      ${Math.max(0, Math.round(call.latencyMs))}, ${tokensIn ?? null}, ${tokensOut ?? null},
      ${tokensTotal ?? null}, ${storable.costUsd(call.costUsdEstimated) ?? null},
      ${storable.costUsd(call.costUsdActual) ?? null}, ${call.costCredits ?? null},
      ${call.error ? call.error.slice(0, 4000) : null}, ${tx.json((call.metadata ?? {}) as never)})
    returning id`;
}

/**
 * A provider's figure as the columns can hold it (tokens int4, cost numeric(12, 6)), else
 * undefined: a figure reported by a provider is not ours to trust, and one out of range must not
 * fail the write that carries it.
 */
export const storable = {
  tokens: (n: unknown): number | undefined =>
    typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : undefined,
  // numeric(12, 6) rounds to six places first: 999999.9999996 would become 1000000.000000.
  costUsd: (n: unknown): number | undefined =>
    typeof n === "number" && Number.isFinite(n) && n >= 0 && n <= 999_999.999999 ? n : undefined,
};

/** What a provider later says a call really cost. */
export interface ActualCost {
  costUsd?: number;
  tokensInput?: number;
  tokensOutput?: number;
  metadata?: Record<string, unknown>;
}

/**
 * Fills in a call's actual cost. Request ids
 * are the provider's own, unique only per provider, so the row is found by both: only the
 * provider(s) that reported the cost are touched.
 */
export function recordActualCost(
  tx: Tx,
  providerIds: string | string[],
  providerRequestId: string,
  actual: ActualCost,
) {
  return tx<{ id: string }[]>`update public.api_usage_logs set
      cost_usd_actual = coalesce(${storable.costUsd(actual.costUsd) ?? null}, cost_usd_actual),
      tokens_input = coalesce(${storable.tokens(actual.tokensInput) ?? null}, tokens_input),
      tokens_output = coalesce(${storable.tokens(actual.tokensOutput) ?? null}, tokens_output),
      provider_metadata = provider_metadata || ${tx.json((actual.metadata ?? {}) as never)}
    where provider_id = any(${[providerIds].flat()}::uuid[])
      and provider_request_id = ${providerRequestId}
    returning id`;
}
