/**
 * The `workspace_assets` table client: statements returned unsent, so the caller picks the
 * scope. Users read their own rows (asUser: RLS plus the explicit owner, since RLS also shows an
 * admin everyone's); rows are written and deleted on the service path by workspace-actions, in
 * the transaction that also copies or removes their objects.
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";

/** A workspace asset row. */
export type WorkspaceAsset = Tables<"workspace_assets">;

/** A deleted asset: what its removal must clean up in Storage. */
export type RemovedAsset = Pick<
  WorkspaceAsset,
  "id" | "user_id" | "temp_storage_path" | "thumbnail_path" | "mime_type"
>;

/** A keyset position: the last row of the previous page. */
export interface After {
  at: string;
  id: string;
}

// --- the caller's own (asUser) ----------------------------------------------------------------

/** A page of the caller's unexpired assets, newest first, one row extra. */
export function ownAssetsPage(tx: Tx, page: { jobId?: string; after?: After; limit: number }) {
  return tx<WorkspaceAsset[]>`
    select * from public.workspace_assets
    where user_id = (select auth.uid()) and expires_at > now()
      ${page.jobId ? tx`and job_id = ${page.jobId}` : tx``}
      ${
    page.after
      ? tx`and (created_at, id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
      : tx``
  }
    order by created_at desc, id desc
    limit ${page.limit + 1}`;
}

/** Ids of the caller's assets (all, or one job's), oldest first, after a keyset position. */
export function ownAssetIds(tx: Tx, opts: { jobId?: string; after?: After; limit: number }) {
  return tx<{ id: string; created_at: string }[]>`
    select id, created_at from public.workspace_assets
    where user_id = (select auth.uid()) ${opts.jobId ? tx`and job_id = ${opts.jobId}` : tx``}
      ${
    opts.after
      ? tx`and (created_at, id) > (${opts.after.at}::timestamptz, ${opts.after.id}::uuid)`
      : tx``
  }
    order by created_at, id
    limit ${opts.limit}`;
}

/** How many of the caller's assets (all, or one job's) lie after a keyset position. */
export function countOwnAfter(tx: Tx, opts: { jobId?: string; after?: After }) {
  return tx<{ n: number }[]>`
    select count(*)::int as n from public.workspace_assets
    where user_id = (select auth.uid()) ${opts.jobId ? tx`and job_id = ${opts.jobId}` : tx``}
      ${
    opts.after
      ? tx`and (created_at, id) > (${opts.after.at}::timestamptz, ${opts.after.id}::uuid)`
      : tx``
  }`;
}

/** Whether any user holds an asset with this id (service path: tells "not yours" from "gone"). */
export function exists(tx: Tx, id: string) {
  return tx<{ id: string }[]>`select id from public.workspace_assets where id = ${id}`;
}

/** The caller's own asset. */
export function ownAsset(tx: Tx, id: string) {
  return tx<WorkspaceAsset[]>`
    select * from public.workspace_assets where id = ${id} and user_id = (select auth.uid())`;
}

// --- the service path (asService, after the caller's ownership was established) -----------------

/** One of `userId`'s assets, without locking it. */
export function owned(tx: Tx, id: string, userId: string) {
  return tx<WorkspaceAsset[]>`
    select * from public.workspace_assets where id = ${id} and user_id = ${userId}`;
}

/** Deletes one of `userId`'s assets and says what its objects are. */
export function deleteOwned(tx: Tx, id: string, userId: string) {
  return tx<RemovedAsset[]>`
    delete from public.workspace_assets where id = ${id} and user_id = ${userId}
    returning id, user_id, temp_storage_path, thumbnail_path, mime_type`;
}

/** Which of `ids` are workspace assets (whoever owns them). */
export function existingIds(tx: Tx, ids: string[]) {
  return tx<
    { id: string }[]
  >`select id from public.workspace_assets where id = any(${ids}::uuid[])`;
}

/**
 * Inserts a copy of a library item (no generating job) unless the asset exists already or one of
 * its objects is missing from Storage; answers the row, or nothing. One statement, so it can go
 * in the same round trip as the lock that orders it.
 */
export function insertCopyIfAbsent(
  tx: Tx,
  row: Pick<
    WorkspaceAsset,
    | "id"
    | "user_id"
    | "asset_type"
    | "temp_storage_path"
    | "thumbnail_path"
    | "file_size_bytes"
    | "mime_type"
    | "duration_seconds"
    | "width"
    | "height"
    | "source_library_id"
    | "generation_seed"
    | "original_prompt"
    | "model_used"
    | "generation_settings"
  >,
  objects: { bucket: string; names: string[] },
) {
  const full = { ...row, job_id: null, asset_index: 0 };
  const cols = Object.keys(full);
  return tx<WorkspaceAsset[]>`
    insert into public.workspace_assets (${tx(cols as never)})
    select ${tx(cols as never)}
    from jsonb_populate_record(null::public.workspace_assets, ${tx.json(full as never)})
    where not exists (select 1 from public.workspace_assets w where w.id = ${row.id})
      and (select count(*) from storage.objects o
        where o.bucket_id = ${objects.bucket} and o.name = any(${objects.names}::text[]))
        = ${objects.names.length}
    returning *`;
}

/** Deletes a batch of expired assets no concurrent run holds (see expire_workspace_assets). */
export function expireBatch(tx: Tx, limit: number) {
  return tx<RemovedAsset[]>`select * from public.expire_workspace_assets(${limit})`;
}
