/**
 * Transaction-scoped advisory locks on names (`library-item:<uuid>`): serialize work on one thing
 * that has no row to lock yet, such as a library item about to be inserted. Returned unsent;
 * released at commit or rollback.
 */
import type { Tx } from "../client.ts";

/** Waits for the locks on `names`, taken in a fixed order so two takers never deadlock. */
export function lockNames(tx: Tx, names: string[]) {
  return tx`
    select pg_advisory_xact_lock(hashtextextended(n, 0))
    from (select n from unnest(${names}::text[]) n order by n) ordered`;
}
