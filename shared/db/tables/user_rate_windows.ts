/**
 * The `user_rate_windows` client: one request counted against a user's per-minute budget for a
 * bucket (`enhance`, `chat`), shared by every instance. Service path only. Returned unsent.
 */
import type { Tx } from "../client.ts";

/**
 * Counts one request; `wait_ms` 0 means allowed, else how long until the next window. The limit
 * is the system_config setting `<bucket>_requests_per_minute`, else `defaultPerMinute`.
 */
export function takeSlot(tx: Tx, userId: string, bucket: string, defaultPerMinute: number) {
  return tx<{ wait_ms: number }[]>`
    select public.take_user_rate_slot(${userId}::uuid, ${bucket}, ${defaultPerMinute}::int) as wait_ms`;
}
