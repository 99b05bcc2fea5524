/**
 * Storage's own rows, read-only: which objects Storage holds (`storage.objects`, readable by the
 * service role). SQL never deletes them (Storage's protect_delete trigger); objects are removed
 * through the Storage API. Returned unsent.
 */
import type { Tx } from "../client.ts";

/** Which of `names` exist in `bucket`. */
export function present(tx: Tx, bucket: string, names: string[]) {
  return tx<{ name: string }[]>`
    select name from storage.objects where bucket_id = ${bucket} and name = any(${names}::text[])`;
}
