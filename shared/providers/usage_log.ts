/**
 * One `api_usage_logs` row per provider call (latency, status, tokens, estimated cost); the
 * actual cost is filled in later from the webhook, the stream's usage chunk or a Broadcast
 * trace. Payload summaries are for operators: never secrets, never NSFW prompt text.
 */
import type { Sql, Tx } from "../db/client.ts";
import { asService } from "../db/scopes.ts";

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

/** The insert of the row, unsent: for a service scope that sends it with other statements. */
export function providerCallStatement(tx: Tx, call: ProviderCall) {
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
      ${Math.max(0, Math.round(call.latencyMs))}, ${call.tokensInput ?? null}, ${
    call.tokensOutput ?? null
  },
      ${
    call.tokensInput !== undefined || call.tokensOutput !== undefined
      ? (call.tokensInput ?? 0) + (call.tokensOutput ?? 0)
      : null
  },
      ${call.costUsdEstimated ?? null}, ${call.costUsdActual ?? null}, ${call.costCredits ?? null},
      ${call.error ? call.error.slice(0, 4000) : null}, ${tx.json((call.metadata ?? {}) as never)})
    returning id`;
}

/** Inserts the row inside an existing service transaction; returns its id. */
export async function insertProviderCall(tx: Tx, call: ProviderCall): Promise<string> {
  const [row] = await providerCallStatement(tx, call);
  return row.id;
}

/** Records a provider call on its own (service path: users never write these rows). */
export async function recordProviderCall(db: Sql, call: ProviderCall): Promise<string> {
  const [row] = await asService(db, (tx) => providerCallStatement(tx, call));
  return row.id;
}

/** What a provider later says a call really cost. */
export interface ActualCost {
  costUsd?: number;
  tokensInput?: number;
  tokensOutput?: number;
  metadata?: Record<string, unknown>;
}

/**
 * The update filling in a call's actual cost, unsent (see {@link recordActualCost}). Request ids
 * are the provider's own, unique only per provider, so the row is found by both: only the
 * provider(s) that reported the cost are touched.
 */
export function actualCostStatement(
  tx: Tx,
  providerIds: string | string[],
  providerRequestId: string,
  actual: ActualCost,
) {
  return tx<{ id: string }[]>`update public.api_usage_logs set
      cost_usd_actual = coalesce(${actual.costUsd ?? null}, cost_usd_actual),
      tokens_input = coalesce(${actual.tokensInput ?? null}, tokens_input),
      tokens_output = coalesce(${actual.tokensOutput ?? null}, tokens_output),
      provider_metadata = provider_metadata || ${tx.json((actual.metadata ?? {}) as never)}
    where provider_id = any(${[providerIds].flat()}::uuid[])
      and provider_request_id = ${providerRequestId}
    returning id`;
}

/** Fills in the actual cost of the call(s) with this provider request id. */
export async function recordActualCost(
  db: Sql,
  providerIds: string | string[],
  providerRequestId: string,
  actual: ActualCost,
): Promise<number> {
  // Service path: cost reconciliation from provider callbacks.
  const rows = await asService(
    db,
    (tx) => actualCostStatement(tx, providerIds, providerRequestId, actual),
  );
  return rows.length;
}
