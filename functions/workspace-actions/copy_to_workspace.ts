/**
 * Copying a library item back into the workspace (reference bug 17: no synthetic job; the new
 * asset has no generating job). The asset's id is derived from the item's (derived_ids.ts), so
 * while that asset exists a repeated copy returns it. As the caller (RLS): the item and that
 * asset. Then the server-side copy to `workspace-temp/{user_id}/{asset_id}.{ext}` and the
 * insert (copy_then_insert.ts), the copies removed again if the insert fails.
 */
import { asUser } from "../../shared/db/scopes.ts";
import * as library from "../../shared/db/tables/user_library.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import type { WorkspaceAsset } from "../../shared/db/tables/workspace_assets.ts";
import { AppError } from "../../shared/errors.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import { copyThenInsert } from "./copy_then_insert.ts";
import { workspaceCopyIdFor, workspaceCopyLock } from "./derived_ids.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { ownPath, thumbnailPath, workspacePath } from "./object_paths.ts";

/** The workspace asset, and whether this call created it. */
export async function copyToWorkspace(
  deps: WorkspaceActionsDeps,
  caller: Caller,
  itemId: string,
): Promise<{ asset: WorkspaceAsset; created: boolean }> {
  const assetId = workspaceCopyIdFor(itemId);
  const [[item], [present]] = await asUser(
    deps.db,
    caller.claims,
    (tx) => [library.ownItem(tx, itemId), assets.ownAsset(tx, assetId)] as const,
  );
  if (!item) throw new AppError("NOT_FOUND", "No such library item");
  if (present) return { asset: present, created: false };
  const userId = item.user_id;
  // Paths come from the row just read under the caller's RLS, and must lie in their folder.
  const main = ownPath(userId, item.storage_path, "storage_path");
  const thumb = item.thumbnail_path ? ownPath(userId, item.thumbnail_path, "thumbnail_path") : null;
  const { row, created } = await copyThenInsert<WorkspaceAsset>(deps, {
    lock: workspaceCopyLock(assetId),
    main: {
      from: { bucket: BUCKETS.library, path: main },
      to: { bucket: BUCKETS.workspace, path: workspacePath(userId, assetId, item.mime_type) },
      source: { size: item.file_size_bytes, contentType: item.mime_type },
    },
    thumbnail: thumb
      ? {
        from: { bucket: BUCKETS.library, path: thumb },
        to: { bucket: BUCKETS.workspace, path: thumbnailPath(userId, assetId, thumb) },
      }
      : undefined,
    pathsOf: (asset) => [
      asset.temp_storage_path,
      ...(asset.thumbnail_path ? [asset.thumbnail_path] : []),
    ],
    find: (tx) => assets.owned(tx, assetId, userId),
    insert: (tx, paths) =>
      assets.insertCopyIfAbsent(tx, {
        id: assetId,
        user_id: userId,
        asset_type: item.asset_type,
        temp_storage_path: paths.main,
        thumbnail_path: paths.thumbnail,
        file_size_bytes: item.file_size_bytes,
        mime_type: item.mime_type,
        duration_seconds: item.duration_seconds,
        width: item.width,
        height: item.height,
        source_library_id: item.id,
        generation_seed: item.generation_seed,
        original_prompt: item.original_prompt,
        model_used: item.model_used,
        generation_settings: { source: "library_copy", library_item_id: item.id },
      }, {
        bucket: BUCKETS.workspace,
        names: [paths.main, ...(paths.thumbnail ? [paths.thumbnail] : [])],
      }),
    beforeInsert: async () => {
      await deps.hooks?.afterWorkspaceCopy?.({ libraryId: item.id, assetId });
    },
  });
  return { asset: row, created };
}
