/**
 * The `user_activity_log` table client: one row per state-changing request a signed-in user
 * makes, written by the definer function record_user_activity (service path only; users read
 * their own rows). Returned unsent.
 */
import type { Tx } from "../client.ts";

/** One audited request. */
export interface ActivityEntry {
  userId: string;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  metadata: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}

/** Records one entry. */
export function record(tx: Tx, e: ActivityEntry) {
  return tx`select public.record_user_activity(${e.userId}::uuid, ${e.action}, ${e.resourceType},
    ${e.resourceId}, ${tx.json(e.metadata as never)}, ${e.ip}::inet, ${e.userAgent})`;
}
