/**
 * Which objects go when workspace assets or library items are deleted: each row's object and
 * thumbnail, plus what a save or copy-to-workspace that failed before its insert may have left at
 * the row's derived target (the library item or workspace copy that was never written). Paths
 * are checked to lie in the owner's folder; one outside refuses the whole removal.
 */
import type { Tx } from "../../shared/db/client.ts";
import { lockNames } from "../../shared/db/tables/locks.ts";
import * as library from "../../shared/db/tables/user_library.ts";
import type { RemovedItem } from "../../shared/db/tables/user_library.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import type { RemovedAsset } from "../../shared/db/tables/workspace_assets.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import { libraryIdFor, libraryLock, workspaceCopyIdFor, workspaceCopyLock } from "./derived_ids.ts";
import { libraryPath, ownPath, thumbnailPath, workspacePath } from "./object_paths.ts";

/** Paths to remove, by bucket. */
export type Removal = Map<string, string[]>;

function add(r: Removal, bucket: string, path: string): void {
  r.set(bucket, [...(r.get(bucket) ?? []), path]);
}

/**
 * The objects of deleted workspace assets (`tx` on the service path, to see every item). Takes
 * the lock a save of each asset takes, so a save in progress finishes (its item then exists and
 * its objects stay) or finds its copies gone and makes them again.
 */
export async function assetObjects(tx: Tx, rows: RemovedAsset[]): Promise<Removal> {
  const out: Removal = new Map();
  const targets = rows.map((a) => libraryIdFor(a.id));
  if (targets.length) await lockNames(tx, targets.map(libraryLock));
  const saved = new Set(
    targets.length ? (await library.existingIds(tx, targets)).map((r) => r.id) : [],
  );
  rows.forEach((a, i) => {
    add(out, BUCKETS.workspace, ownPath(a.user_id, a.temp_storage_path, "temp_storage_path"));
    const thumb = a.thumbnail_path ? ownPath(a.user_id, a.thumbnail_path, "thumbnail_path") : null;
    if (thumb) add(out, BUCKETS.workspace, thumb);
    // No item under the derived id: anything a failed save copied there has no row.
    if (!saved.has(targets[i])) {
      add(out, BUCKETS.library, libraryPath(a.user_id, targets[i], a.mime_type));
      if (thumb) add(out, BUCKETS.library, thumbnailPath(a.user_id, targets[i], thumb));
    }
  });
  return out;
}

/**
 * The objects of deleted library items (`tx` on the service path), under the lock a copy to the
 * workspace takes (take it before deleting the item: {@link lockItemCopies}).
 */
export async function itemObjects(tx: Tx, rows: RemovedItem[]): Promise<Removal> {
  const out: Removal = new Map();
  const targets = rows.map((l) => workspaceCopyIdFor(l.id));
  if (targets.length) await lockNames(tx, targets.map(workspaceCopyLock));
  const present = new Set(
    targets.length ? (await assets.existingIds(tx, targets)).map((r) => r.id) : [],
  );
  rows.forEach((l, i) => {
    add(out, BUCKETS.library, ownPath(l.user_id, l.storage_path, "storage_path"));
    const thumb = l.thumbnail_path ? ownPath(l.user_id, l.thumbnail_path, "thumbnail_path") : null;
    if (thumb) add(out, BUCKETS.library, thumb);
    // The workspace copy, if one exists, lives on; a failed copy's leftovers do not.
    if (!present.has(targets[i])) {
      add(out, BUCKETS.workspace, workspacePath(l.user_id, targets[i], l.mime_type));
      if (thumb) add(out, BUCKETS.workspace, thumbnailPath(l.user_id, targets[i], thumb));
    }
  });
  return out;
}

/** Counts the paths of a removal. */
export function pathCount(r: Removal): number {
  let n = 0;
  for (const paths of r.values()) n += paths.length;
  return n;
}

/**
 * Takes the lock copy-to-workspace takes for an item before the item's row is locked: the copy
 * takes that lock first and then (its insert's foreign key) the item's row, so this order keeps
 * the two from waiting on each other.
 */
export async function lockItemCopies(tx: Tx, itemId: string): Promise<void> {
  await lockNames(tx, [workspaceCopyLock(workspaceCopyIdFor(itemId))]);
}
