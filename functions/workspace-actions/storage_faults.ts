/**
 * Telling a Storage answer apart from a configuration fault. A read with a service key Storage
 * refuses is anonymous and answers 404 (storage-fidelity D2), exactly like a missing object; the
 * database knows which it is, since Storage keeps a row per object.
 */
import type { Tx } from "../../shared/db/client.ts";
import { AppError } from "../../shared/errors.ts";
import type { Logger } from "../../shared/log.ts";
import type { ObjectRef } from "../../shared/storage/object_store.ts";
import { ObjectStoreError } from "../../shared/storage/storage_errors.ts";

/**
 * For a `not_found` from a service-key copy of `ref`: `misconfigured` (logged as an operator's
 * problem) when storage.objects has the object, else a 409 saying the stored file is gone.
 * Other errors are returned unchanged. `tx` runs on the service path.
 */
export async function explainMissing(
  tx: Tx,
  log: Logger,
  ref: ObjectRef,
  err: unknown,
): Promise<unknown> {
  if (!(err instanceof ObjectStoreError) || err.code !== "not_found") return err;
  const rows = await tx`
    select 1 from storage.objects where bucket_id = ${ref.bucket} and name = ${ref.path}`;
  if (rows.length > 0) {
    log.error("storage answered 404 for an object it holds (check SUPABASE_SERVICE_ROLE_KEY)", {
      bucket: ref.bucket,
    });
    return new ObjectStoreError(
      "misconfigured",
      `${ref.bucket}: object hidden from the service key`,
      {
        status: 404,
        cause: err,
      },
    );
  }
  return new AppError("CONFLICT", "The stored file of this asset no longer exists", {
    cause: err,
  });
}
