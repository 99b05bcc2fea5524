/**
 * Discarding a workspace asset: its row and its objects (reference bug 21: never one without the
 * other). The row is deleted and the objects removed in one transaction, objects first to
 * commit: if Storage fails, the transaction rolls back and the asset is still there to retry.
 * Discarding an asset that is already gone succeeds (retries are safe); another user's asset is
 * a 404 and stays untouched.
 */
import { asService } from "../../shared/db/scopes.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import { AppError } from "../../shared/errors.ts";
import type { ObjectStore } from "../../shared/storage/object_store.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { assetObjects, type Removal } from "./object_removal.ts";

/** Whether this call removed the asset (false: it was already gone). */
export async function discardAsset(
  deps: WorkspaceActionsDeps,
  caller: Caller,
  assetId: string,
): Promise<{ discarded: boolean }> {
  // Service path: deleting the row and its objects is the backend's; the delete is limited to
  // the caller's own row by its user_id.
  return await asService(deps.db, async (tx) => {
    const gone = await assets.deleteOwned(tx, assetId, caller.userId);
    if (gone.length === 0) {
      const [other] = await assets.exists(tx, assetId);
      if (other) throw new AppError("NOT_FOUND", "No such workspace asset");
      return { discarded: false };
    }
    await removeAll(deps.store, await assetObjects(tx, gone));
    return { discarded: true };
  });
}

/** Removes every path of a removal (Storage ignores the missing ones). */
export async function removeAll(store: ObjectStore, removal: Removal): Promise<number> {
  let removed = 0;
  for (const [bucket, paths] of removal) {
    if (paths.length > 0) removed += (await store.remove(bucket, paths)).length;
  }
  return removed;
}
