/**
 * The provider runtime tables' client: per-provider rate windows (take_provider_slot, shared by
 * every instance) and per-model health (record_model_outcome: consecutive failures put a model
 * in cooldown, which the registry orders last; a success clears it). Shared runtime state, not
 * data a user owns: service path only. Statements are returned unsent.
 */
import type { Tx } from "../client.ts";

/** Takes one request slot of the provider's per-minute budget; 0 ms means granted. */
export function takeSlot(tx: Tx, providerId: string, perMinute: number) {
  return tx<{ wait_ms: number }[]>`
    select public.take_provider_slot(${providerId}::uuid, ${perMinute}::int) as wait_ms`;
}

/** Cooldown policy. */
export interface CooldownPolicy {
  /** Consecutive failures that start a cooldown. @default 3 */
  failureThreshold?: number;
  /** Default: system_config.provider_failure_cooldown_seconds (60 when unset). */
  cooldownSeconds?: number;
}

/** A call's outcome. */
export type ModelOutcome = { ok: true } | { ok: false; error: string };

/** Records a call's outcome; answers when the model's cooldown ends, if it is in one. */
export function recordModelOutcome(
  tx: Tx,
  modelId: string,
  outcome: ModelOutcome,
  policy: CooldownPolicy = {},
) {
  return tx<{ until: string | null }[]>`
    select public.record_model_outcome(${modelId}::uuid, ${outcome.ok},
      ${outcome.ok ? null : outcome.error}, ${policy.failureThreshold ?? 3}::int,
      ${policy.cooldownSeconds ?? null}::int) as until`;
}
