/**
 * Paces provider calls to `api_providers.rate_limits.requests_per_minute` across every function
 * instance, through one atomic SQL function. Waiting for a slot is not a failed attempt.
 */
import type { Sql } from "../db/client.ts";
import { asService } from "../db/scopes.ts";
import { rateLimitsSchema } from "./capabilities.ts";
import type { ProviderRow } from "./provider_config.ts";

/** A slot was granted, or the caller should come back after `waitMs`. */
export type SlotResult = { granted: true } | { granted: false; waitMs: number };

/** Takes one request slot for the provider (always granted when it has no limit). */
export async function takeProviderSlot(
  db: Sql,
  provider: Pick<ProviderRow, "id" | "rate_limits">,
): Promise<SlotResult> {
  const limits = rateLimitsSchema.safeParse(provider.rate_limits);
  const perMinute = limits.success ? limits.data.requests_per_minute : undefined;
  if (!perMinute) return { granted: true };
  // Service path: the counters are shared runtime state, not data any user owns.
  const [row] = await asService(
    db,
    (tx) =>
      tx<
        { wait_ms: number }[]
      >`select public.take_provider_slot(${provider.id}::uuid, ${perMinute}::int) as wait_ms`,
  );
  return row.wait_ms === 0 ? { granted: true } : { granted: false, waitMs: row.wait_ms };
}
