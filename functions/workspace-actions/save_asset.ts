/**
 * Saving a workspace asset to the library, exactly once (DESIGN.md section 9; reference bugs 5
 * and 13). Step one, as the caller (RLS): the asset, the item it is already saved as, and the
 * collection, in one round trip. Step two, on the service path under the asset's row lock: the
 * object (and thumbnail) is copied server-side to `user-library/{user_id}/{library_id}.{ext}`,
 * where `library_id` is derived from the asset's id, and the item inserted; if the insert fails,
 * the copies are removed before the lock is released, so no concurrent save relies on them.
 * Concurrent saves wait on the lock and then find the item.
 */
import type { Tx } from "../../shared/db/client.ts";
import { asService, asUser } from "../../shared/db/scopes.ts";
import * as collections from "../../shared/db/tables/user_collections.ts";
import * as library from "../../shared/db/tables/user_library.ts";
import type { LibraryItem } from "../../shared/db/tables/user_library.ts";
import * as assets from "../../shared/db/tables/workspace_assets.ts";
import type { WorkspaceAsset } from "../../shared/db/tables/workspace_assets.ts";
import { AppError } from "../../shared/errors.ts";
import { BUCKETS } from "../../shared/vocabulary.ts";
import { libraryIdFor } from "./derived_ids.ts";
import type { Caller, WorkspaceActionsDeps } from "./deps.ts";
import { libraryPath, ownPath, thumbnailPath } from "./object_paths.ts";
import { copyThenInsert } from "./copy_then_insert.ts";

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
  const libraryId = await libraryIdFor(assetId);
  const collectionId = opts.collectionId ?? null;
  const [[asset], [saved], [collection]] = await asUser(deps.db, caller.claims, (tx) =>
    [
      assets.ownAsset(tx, assetId),
      library.ownSavedFor(tx, assetId, libraryId),
      collectionId ? collections.ownCollection(tx, collectionId) : tx`select null as id`,
    ] as const);
  if (!asset) throw new AppError("NOT_FOUND", "No such workspace asset");
  if (saved) return { item: saved, created: false };
  if (collectionId && !collection?.id) {
    throw new AppError("NOT_FOUND", "No such collection", {
      details: [{ field: "collection_id", message: "is not one of your collections" }],
    });
  }
  // Service path: the copy into user-library and the item row are the backend's to write, for an
  // asset just read under the caller's RLS (the row lock below re-checks the owner).
  return await asService(deps.db, async (tx) => {
    const [locked] = await assets.lockOwned(tx, assetId, caller.userId);
    if (!locked) throw new AppError("NOT_FOUND", "No such workspace asset");
    const [existing] = await library.savedFrom(tx, assetId, libraryId);
    if (existing) return { item: existing, created: false };
    return { item: await copyAndInsert(deps, tx, locked, libraryId, opts), created: true };
  });
}

async function copyAndInsert(
  deps: WorkspaceActionsDeps,
  tx: Tx,
  asset: WorkspaceAsset,
  libraryId: string,
  opts: SaveOptions,
): Promise<LibraryItem> {
  const userId = asset.user_id;
  const main = ownPath(userId, asset.temp_storage_path, "temp_storage_path");
  const thumb = asset.thumbnail_path
    ? ownPath(userId, asset.thumbnail_path, "thumbnail_path")
    : null;
  const plan = {
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
  };
  return await copyThenInsert(deps, tx, plan, async (paths) => {
    const [item] = await library.insertSaved(tx, {
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
      collection_id: opts.collectionId ?? null,
      custom_title: opts.title ?? null,
      tags: opts.tags ?? [],
    });
    return item;
  }, async () => {
    await deps.hooks?.afterLibraryCopy?.({ assetId: asset.id, libraryId });
  });
}
