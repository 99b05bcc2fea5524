/**
 * The `user_library` table client: statements returned unsent. Users read their own items and
 * change their presentation columns under RLS (asUser, column grants); items are inserted and
 * deleted on the service path by workspace-actions, in the transaction that copies or removes
 * their objects.
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";
import type { After } from "./workspace_assets.ts";

/** A library item row. */
export type LibraryItem = Tables<"user_library">;

/** Filters of the library list. */
export interface LibraryFilter {
  collectionId?: string;
  tag?: string;
  favorite?: boolean;
  type?: string;
  after?: After;
  limit: number;
}

/** The columns a user may change. */
export type LibraryPatch = Partial<
  Pick<LibraryItem, "custom_title" | "tags" | "is_favorite" | "visibility" | "collection_id">
>;

/** A deleted item: what its removal must clean up in Storage. */
export type RemovedItem = Pick<
  LibraryItem,
  "id" | "user_id" | "storage_path" | "thumbnail_path" | "mime_type"
>;

// --- the caller's own (asUser) ----------------------------------------------------------------

/** A page of the caller's items, newest first, one row extra. */
export function ownItemsPage(tx: Tx, f: LibraryFilter) {
  return tx<LibraryItem[]>`
    select * from public.user_library
    where user_id = (select auth.uid())
      ${f.collectionId ? tx`and collection_id = ${f.collectionId}` : tx``}
      ${f.tag !== undefined ? tx`and tags @> array[${f.tag}]::text[]` : tx``}
      ${f.favorite !== undefined ? tx`and is_favorite = ${f.favorite}` : tx``}
      ${f.type ? tx`and asset_type = ${f.type}` : tx``}
      ${
    f.after ? tx`and (created_at, id) < (${f.after.at}::timestamptz, ${f.after.id}::uuid)` : tx``
  }
    order by created_at desc, id desc
    limit ${f.limit + 1}`;
}

/** The caller's own item. */
export function ownItem(tx: Tx, id: string) {
  return tx<LibraryItem[]>`
    select * from public.user_library where id = ${id} and user_id = (select auth.uid())`;
}

/** Changes presentation columns of the caller's item (grants and RLS decide). */
export function updateOwn(tx: Tx, id: string, patch: LibraryPatch) {
  return tx<LibraryItem[]>`
    update public.user_library set ${tx(patch as never, ...Object.keys(patch) as never[])}
    where id = ${id} and user_id = (select auth.uid())
    returning *`;
}

/**
 * The caller's item a workspace asset is already saved as: the item with the id derived for it,
 * the one recording it as source, or the item the asset itself was copied from.
 */
export function ownSavedFor(tx: Tx, assetId: string, libraryId: string) {
  return tx<LibraryItem[]>`
    select l.* from public.user_library l
    where l.user_id = (select auth.uid())
      and (l.id = ${libraryId} or l.source_asset_id = ${assetId} or l.id = (
        select w.source_library_id from public.workspace_assets w
        where w.id = ${assetId} and w.user_id = (select auth.uid())))
    order by (l.source_asset_id is not distinct from ${assetId}::uuid) desc, l.created_at
    limit 1`;
}

// --- the service path (asService, after the caller's ownership was established) -----------------

/** The item saved from `assetId` (under its derived id, or recording it as source), if any. */
export function savedFrom(tx: Tx, assetId: string, libraryId: string) {
  return tx<LibraryItem[]>`
    select * from public.user_library where id = ${libraryId} or source_asset_id = ${assetId}
    limit 1`;
}

/** Which of `ids` are library items (whoever owns them). */
export function existingIds(tx: Tx, ids: string[]) {
  return tx<{ id: string }[]>`select id from public.user_library where id = any(${ids}::uuid[])`;
}

/** Where a row's objects must be for it to be written (Storage's own rows say). */
export interface RequiredObjects {
  bucket: string;
  names: string[];
}

/**
 * Inserts a saved item unless it exists already (by id or source asset) or one of its objects is
 * missing from Storage; answers the row, or nothing. One statement, so it can go in the same
 * round trip as the lock that orders it.
 */
export function insertSavedIfAbsent(
  tx: Tx,
  row: Partial<LibraryItem> & { id: string; user_id: string; source_asset_id: string },
  objects: RequiredObjects,
) {
  const cols = Object.keys(row);
  return tx<LibraryItem[]>`
    insert into public.user_library (${tx(cols as never)})
    select ${tx(cols as never)}
    from jsonb_populate_record(null::public.user_library, ${tx.json(row as never)})
    where not exists (select 1 from public.user_library l
        where l.id = ${row.id} or l.source_asset_id = ${row.source_asset_id})
      and (select count(*) from storage.objects o
        where o.bucket_id = ${objects.bucket} and o.name = any(${objects.names}::text[]))
        = ${objects.names.length}
    returning *`;
}

/** Deletes one of `userId`'s items and says what its objects are. */
export function deleteOwned(tx: Tx, id: string, userId: string) {
  return tx<RemovedItem[]>`
    delete from public.user_library where id = ${id} and user_id = ${userId}
    returning id, user_id, storage_path, thumbnail_path, mime_type`;
}
