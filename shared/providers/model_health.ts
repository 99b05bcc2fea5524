/**
 * Per-model health: consecutive provider failures put a model in cooldown (the registry then
 * orders it last), and a success clears it.
 */
import type { Sql, Tx } from "../db/client.ts";
import { asService } from "../db/scopes.ts";

/** Cooldown policy. */
export interface CooldownPolicy {
  /** Consecutive failures that start a cooldown. @default 3 */
  failureThreshold?: number;
  /** @default 60 */
  cooldownSeconds?: number;
}

/** A call's outcome. */
export type ModelOutcome = { ok: true } | { ok: false; error: string };

/** The statement recording an outcome, unsent: for a service scope that sends several. */
export function modelOutcomeStatement(
  tx: Tx,
  modelId: string,
  outcome: ModelOutcome,
  policy: CooldownPolicy = {},
) {
  return tx<
    { until: string | null }[]
  >`select public.record_model_outcome(${modelId}::uuid, ${outcome.ok},
      ${outcome.ok ? null : outcome.error}, ${policy.failureThreshold ?? 3}::int, ${
    policy.cooldownSeconds ?? 60
  }::int) as until`;
}

/** Records a call's outcome; returns when the model's cooldown ends, if it is in one. */
export async function recordModelOutcome(
  db: Sql,
  modelId: string,
  outcome: ModelOutcome,
  policy: CooldownPolicy = {},
): Promise<string | null> {
  // Service path: shared runtime state.
  const [row] = await asService(db, (tx) => modelOutcomeStatement(tx, modelId, outcome, policy));
  return row.until;
}
