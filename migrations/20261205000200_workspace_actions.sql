-- workspace-actions: saving a workspace asset to the library exactly once, copying a library item
-- back into the workspace without a synthetic job (workspace_assets.job_id is nullable already,
-- and (job_id, asset_index) stays unique for job outputs), and expiring workspace assets in
-- batches that concurrent runs never share. Objects are copied and removed through the Storage
-- API by the function; these statements only decide which rows are involved.
--
-- The library item saved from a workspace asset has an id derived from the asset's id (a
-- name-based uuid, computed by the function), so it is known before any object is copied: a
-- repeated or concurrent save copies to the same path ({user_id}/{id}.{ext}) and finds the same
-- row, and a copy whose row was never written can still be found and removed later.

alter table public.user_library add column source_asset_id uuid;
comment on column public.user_library.source_asset_id is 'The workspace asset this item was saved from (kept after the asset is gone); at most one library item per workspace asset.';
alter table public.user_library add constraint user_library_source_asset_key unique (source_asset_id);

-- The library list filters by tag.
create index user_library_tags_idx on public.user_library using gin (tags);

create function public.expire_workspace_assets(p_limit integer default 500)
returns table (
  id uuid, user_id uuid, temp_storage_path text, thumbnail_path text, mime_type text
)
language sql
set search_path = ''
as $$
  with doomed as (
    select w.id from public.workspace_assets w
    where w.expires_at <= now()
    order by w.expires_at
    limit least(greatest(coalesce(p_limit, 500), 1), 1000)
    -- A concurrent run takes other rows instead of waiting for these.
    for update skip locked
  )
  delete from public.workspace_assets w using doomed d where w.id = d.id
  returning w.id, w.user_id, w.temp_storage_path, w.thumbnail_path, w.mime_type
$$;
comment on function public.expire_workspace_assets(integer) is 'Deletes up to p_limit (1-1000) expired workspace assets that no concurrent run holds (skip locked) and returns them. Call it in a transaction that removes the returned objects through the Storage API before committing, so a failed removal puts the rows back.';
revoke execute on function public.expire_workspace_assets(integer) from public, anon, authenticated;
grant execute on function public.expire_workspace_assets(integer) to service_role;
