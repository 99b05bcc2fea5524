/**
 * Saving a workspace asset to the library, exactly once (DESIGN.md section 9; reference bugs 5
 * and 13). The item's id is derived from the asset's (derived_ids.ts), so its object's path,
 * `user-library/{user_id}/{library_id}.{ext}`, is fixed before anything is copied. As the caller
 * (RLS), in one round trip: the asset, the item it is already saved as, the collection. Then the
 * server-side copy and the insert (copy_then_insert.ts): concurrent saves copy to the same path
 * and take turns on the insert, so they make one item and one object.
 */
import * as collections from "../../shared/db/tables/user_collections.ts";
import * as library from "../../shared/db/tables/user_library.ts";
import type { LibraryItem } from "../../shared/db/tables/user_library.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import { AppError } from "../../shared/errors.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import { copyThenInsert } from "./copy_then_insert.ts";
import { libraryIdFor, libraryLock } from "./derived_ids.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { libraryPath, ownPath, thumbnailPath } from "./object_paths.ts";

/** What a save may set on the new item. */
export interface SaveOptions {
  collectionId?: string | null;
  title?: string | null;
  tags?: string[];
}

/** The item, and whether this call created it. */
export interface SaveResult {
  item: LibraryItem;
  created: boolean;
}

/** Saves the caller's workspace asset; the existing item when it was saved before. */
export async function saveAsset(
  deps: WorkspaceActionsDeps,
  caller: Caller,
  assetId: string,
  opts: SaveOptions = {},
): Promise<SaveResult> {
  const libraryId = libraryIdFor(assetId);
  const collectionId = opts.collectionId ?? null;
  // As the caller, grouped with concurrent requests' reads (each under its own RLS).
  const [[asset], [saved], [collection]] = await deps.commits.runAsUser(caller.claims, (tx) =>
    [
      assets.ownAsset(tx, assetId),
      library.ownSavedFor(tx, assetId, libraryId),
      collectionId ? collections.ownCollection(tx, collectionId) : tx`select null as id`,
    ] as const);
  if (!asset) throw new AppError("NOT_FOUND", "No such workspace asset");
  if (saved) return { item: saved, created: false };
  if (collectionId && !(collection as { id?: string } | undefined)?.id) {
    throw new AppError("NOT_FOUND", "No such collection", {
      details: [{ field: "collection_id", message: "is not one of your collections" }],
    });
  }
  const userId = asset.user_id;
  // Paths come from the row just read under the caller's RLS, and must lie in their folder.
  const main = ownPath(userId, asset.temp_storage_path, "temp_storage_path");
  const thumb = asset.thumbnail_path
    ? ownPath(userId, asset.thumbnail_path, "thumbnail_path")
    : null;
  const { row, created } = await copyThenInsert<LibraryItem>(deps, {
    lock: libraryLock(libraryId),
    main: {
      from: { bucket: BUCKETS.workspace, path: main },
      to: { bucket: BUCKETS.library, path: libraryPath(userId, libraryId, asset.mime_type) },
      source: { size: asset.file_size_bytes, contentType: asset.mime_type },
    },
    thumbnail: thumb
      ? {
        from: { bucket: BUCKETS.workspace, path: thumb },
        to: { bucket: BUCKETS.library, path: thumbnailPath(userId, libraryId, thumb) },
      }
      : undefined,
    pathsOf: (item) => [item.storage_path, ...(item.thumbnail_path ? [item.thumbnail_path] : [])],
    find: (tx) => library.savedFrom(tx, assetId, libraryId),
    insert: (tx, paths) =>
      library.insertSavedIfAbsent(tx, {
        id: libraryId,
        user_id: userId,
        asset_type: asset.asset_type,
        storage_path: paths.main,
        thumbnail_path: paths.thumbnail,
        file_size_bytes: asset.file_size_bytes,
        mime_type: asset.mime_type,
        duration_seconds: asset.duration_seconds,
        width: asset.width,
        height: asset.height,
        original_prompt: asset.original_prompt,
        model_used: asset.model_used,
        generation_seed: asset.generation_seed,
        generation_metadata: {
          source: "workspace",
          workspace_asset_id: asset.id,
          generation_settings: asset.generation_settings,
        },
        source_job_id: asset.job_id,
        asset_index: asset.asset_index,
        source_asset_id: asset.id,
        collection_id: collectionId,
        custom_title: opts.title ?? null,
        tags: opts.tags ?? [],
      }, {
        bucket: BUCKETS.library,
        names: [paths.main, ...(paths.thumbnail ? [paths.thumbnail] : [])],
      }),
    beforeInsert: async () => {
      await deps.hooks?.afterLibraryCopy?.({ assetId, libraryId });
    },
  });
  return { item: row, created };
}
