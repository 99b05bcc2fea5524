/**
 * Deleting a library item: its row and objects in one transaction (the objects removed before the
 * commit, so a Storage failure leaves the item whole), plus what a failed copy-to-workspace may
 * have left at the item's derived workspace path.
 */
import { asService } from "../../shared/db/scopes.ts";
import * as library from "../../shared/db/tables/user_library.ts";
import { AppError } from "../../shared/errors.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { removeAll } from "./discard_asset.ts";
import { itemObjects, lockItemCopies } from "./object_removal.ts";

/** Deletes the caller's item; 404 when it is not the caller's (or already gone). */
export async function deleteItem(
  deps: WorkspaceActionsDeps,
  caller: Caller,
  itemId: string,
): Promise<void> {
  // Service path: users cannot delete library rows (their objects go with them); the delete is
  // limited to the caller's own row by its user_id.
  await asService(deps.db, async (tx) => {
    await lockItemCopies(tx, itemId);
    const gone = await library.deleteOwned(tx, itemId, caller.userId);
    if (gone.length === 0) throw new AppError("NOT_FOUND", "No such library item");
    await removeAll(deps.store, await itemObjects(tx, gone));
  });
}
