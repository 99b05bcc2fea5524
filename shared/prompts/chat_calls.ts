/**
 * The bookkeeping of a chat completion, the same for every caller (enhancement, a chat turn, a
 * title or summary): one `api_usage_logs` row with latency, tokens and the provider's cost, and,
 * where the call says something about the model, its health (a success clears a cooldown; only a
 * provider fault counts toward one: a 429 or a refused request does not).
 */
import type { GroupCommit } from "../db/group_commit.ts";
import * as apiUsage from "../db/tables/api_usage_logs.ts";
import * as runtime from "../db/tables/provider_runtime.ts";
import type { ChatUsage } from "../providers/chat_client.ts";
import { ProviderError } from "../providers/provider_error.ts";
import type { ResolvedModel } from "../providers/registry.ts";

/** Whose call it was and what it was for. */
export interface ChatCallContext {
  model: ResolvedModel;
  userId: string;
  requestType: "chat" | "enhancement";
  /** `performance.now()` when the call started. */
  started: number;
  metadata?: Record<string, unknown>;
}

/** How the call ended. */
export type ChatCallOutcome =
  | { ok: true; usage?: ChatUsage; generationId?: string; health?: boolean }
  | {
    ok: false;
    error: unknown;
    /** Whether the failure is the model's; decided from a ProviderError when not given. */
    fault?: boolean;
    /** What the provider reported before the call broke off (it may bill it). */
    usage?: ChatUsage;
    generationId?: string;
  };

/** Records the call (service path: usage rows and model health are the backend's). */
export async function recordChatCall(
  commits: GroupCommit,
  ctx: ChatCallContext,
  outcome: ChatCallOutcome,
): Promise<void> {
  const row: apiUsage.ProviderCall = {
    providerId: ctx.model.provider.row.id,
    modelId: ctx.model.model.id,
    userId: ctx.userId,
    requestType: ctx.requestType,
    endpointPath: "chat/completions",
    latencyMs: performance.now() - ctx.started,
    metadata: ctx.metadata,
  };
  const modelId = ctx.model.model.id;
  if (outcome.ok) {
    const call = {
      ...row,
      providerRequestId: outcome.generationId ?? null,
      responseStatus: 200,
      tokensInput: outcome.usage?.promptTokens,
      tokensOutput: outcome.usage?.completionTokens,
      costUsdActual: outcome.usage?.cost,
    };
    await commits.run((tx) =>
      outcome.health === false ? [apiUsage.insertCall(tx, call)] as const : [
        apiUsage.insertCall(tx, call),
        runtime.recordModelOutcome(tx, modelId, { ok: true }),
      ] as const
    );
    return;
  }
  const err = outcome.error;
  const message = err instanceof Error ? err.message : String(err);
  const call = {
    ...row,
    providerRequestId: outcome.generationId ?? null,
    responseStatus: err instanceof ProviderError ? err.status ?? null : null,
    tokensInput: outcome.usage?.promptTokens,
    tokensOutput: outcome.usage?.completionTokens,
    costUsdActual: outcome.usage?.cost,
    error: message,
  };
  const fault = outcome.fault ??
    (err instanceof ProviderError && err.retryable && err.failure !== "rate_limited");
  await commits.run((tx) =>
    fault
      ? [
        apiUsage.insertCall(tx, call),
        runtime.recordModelOutcome(tx, modelId, { ok: false, error: message }),
      ] as const
      : [apiUsage.insertCall(tx, call)] as const
  );
}
