-- The user's content: temporary workspace outputs (workspace-temp bucket), the permanent
-- library (user-library bucket) and collections. Object paths are stored without the bucket
-- name and must start with the owner's user id. Users change only the presentation columns of
-- library items (title, tags, favourite, visibility, collection) and their collections; rows
-- that point at storage objects are written by the functions on the service path.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.user_collections (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  description text check (char_length(description) <= 1000),
  -- Kept exact by the user_library trigger; not writable by users.
  asset_count integer not null default 0 check (asset_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint user_collections_user_name_key unique (user_id, name)
);
comment on table public.user_collections is 'User-defined groups of library items; asset_count is maintained by a trigger on user_library.';

create table public.user_library (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  asset_type text not null check (asset_type in ('image', 'video')),
  -- Object path in the user-library bucket, always under the owner's folder.
  storage_path text not null check (starts_with(storage_path, user_id::text || '/') and char_length(storage_path) <= 1024),
  file_size_bytes bigint not null check (file_size_bytes >= 0),
  mime_type text not null check (mime_type ~ '^(image|video)/[a-z0-9.+-]+$'),
  duration_seconds numeric(10, 3) check (duration_seconds >= 0),
  width integer check (width > 0),
  height integer check (height > 0),
  thumbnail_path text check (starts_with(thumbnail_path, user_id::text || '/') and char_length(thumbnail_path) <= 1024),
  original_prompt text not null check (char_length(original_prompt) <= 16000),
  model_used text not null check (char_length(model_used) <= 200),
  generation_seed bigint,
  generation_metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(generation_metadata) = 'object'),
  -- The job (and output index) the item came from; one library item per job output.
  source_job_id uuid references public.jobs (id) on delete set null,
  asset_index integer not null default 0 check (asset_index >= 0),
  collection_id uuid references public.user_collections (id) on delete set null,
  character_id uuid references public.characters (id) on delete set null,
  custom_title text check (char_length(custom_title) <= 200),
  tags text[] not null default '{}' check (cardinality(tags) <= 50),
  is_favorite boolean not null default false,
  visibility text not null default 'private' check (visibility in ('private', 'unlisted', 'public')),
  content_category text not null default 'general' check (char_length(content_category) <= 50),
  roleplay_metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(roleplay_metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint user_library_source_job_asset_key unique (source_job_id, asset_index)
);
comment on table public.user_library is 'Permanent user content in the user-library bucket with generation metadata and presentation fields. Users edit only title, tags, favourite, visibility and collection.';
create index user_library_user_created_at_idx on public.user_library (user_id, created_at desc);
create index user_library_collection_id_idx on public.user_library (collection_id);
create index user_library_character_id_idx on public.user_library (character_id);

create table public.workspace_assets (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  asset_type text not null check (asset_type in ('image', 'video')),
  -- Object path in the workspace-temp bucket, always under the owner's folder.
  temp_storage_path text not null check (starts_with(temp_storage_path, user_id::text || '/') and char_length(temp_storage_path) <= 1024),
  file_size_bytes bigint not null check (file_size_bytes >= 0),
  mime_type text not null check (mime_type ~ '^(image|video)/[a-z0-9.+-]+$'),
  duration_seconds numeric(10, 3) check (duration_seconds >= 0),
  width integer check (width > 0),
  height integer check (height > 0),
  thumbnail_path text check (starts_with(thumbnail_path, user_id::text || '/') and char_length(thumbnail_path) <= 1024),
  -- Null for an item copied back from the library (no generating job).
  job_id uuid references public.jobs (id) on delete set null,
  asset_index integer not null default 0 check (asset_index >= 0),
  -- The library item this was copied from, if any.
  source_library_id uuid references public.user_library (id) on delete set null,
  -- Null when the model takes no seed: never invented.
  generation_seed bigint,
  original_prompt text not null check (char_length(original_prompt) <= 16000),
  model_used text not null check (char_length(model_used) <= 200),
  generation_settings jsonb not null default '{}'::jsonb check (jsonb_typeof(generation_settings) = 'object'),
  expires_at timestamptz not null default (now() + interval '7 days'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint workspace_assets_job_asset_key unique (job_id, asset_index)
);
comment on table public.workspace_assets is 'Job outputs staged in the workspace-temp bucket until saved to the library or expired. Users read their own; the functions write.';
create index workspace_assets_user_created_at_idx on public.workspace_assets (user_id, created_at desc);
create index workspace_assets_expires_at_idx on public.workspace_assets (expires_at);
create index workspace_assets_source_library_id_idx on public.workspace_assets (source_library_id);

create trigger user_collections_set_updated_at before update on public.user_collections
  for each row execute function public.set_updated_at();
create trigger user_library_set_updated_at before update on public.user_library
  for each row execute function public.set_updated_at();
create trigger workspace_assets_set_updated_at before update on public.workspace_assets
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: column grants say which fields users may change
-- ---------------------------------------------------------------------------------------------
revoke all on public.user_collections, public.user_library, public.workspace_assets from anon, authenticated;
grant select, delete on public.user_collections to authenticated;
grant insert (id, user_id, name, description) on public.user_collections to authenticated;
grant update (name, description) on public.user_collections to authenticated;
grant select on public.user_library to authenticated;
grant update (custom_title, tags, is_favorite, visibility, collection_id) on public.user_library to authenticated;
grant select on public.workspace_assets to authenticated;

alter table public.user_collections enable row level security;
alter table public.user_library enable row level security;
alter table public.workspace_assets enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
create function public.user_library_sync_collection_count() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Relative increments under the row lock keep the count exact under concurrency.
  if tg_op in ('UPDATE', 'DELETE') and old.collection_id is not null
    and (tg_op = 'DELETE' or new.collection_id is distinct from old.collection_id) then
    update public.user_collections set asset_count = greatest(asset_count - 1, 0)
    where id = old.collection_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.collection_id is not null
    and (tg_op = 'INSERT' or new.collection_id is distinct from old.collection_id) then
    update public.user_collections set asset_count = asset_count + 1
    where id = new.collection_id;
  end if;
  return null;
end
$$;
comment on function public.user_library_sync_collection_count() is 'AFTER INSERT/UPDATE OF collection_id/DELETE on user_library: keeps user_collections.asset_count exact (definer: users cannot write asset_count).';
revoke execute on function public.user_library_sync_collection_count() from public, anon, authenticated;
create trigger user_library_sync_collection_count
  after insert or update of collection_id or delete on public.user_library
  for each row execute function public.user_library_sync_collection_count();

-- ---------------------------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------------------------
create policy user_collections_select_own on public.user_collections for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy user_collections_insert_own on public.user_collections for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy user_collections_update_own on public.user_collections for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy user_collections_delete_own on public.user_collections for delete to authenticated
  using (user_id = (select auth.uid()));

create policy user_library_select_own on public.user_library for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
-- The target collection must be the user's own.
create policy user_library_update_own on public.user_library for update to authenticated
  using (user_id = (select auth.uid()))
  with check (
    user_id = (select auth.uid())
    and (collection_id is null or exists (
      select 1 from public.user_collections c
      where c.id = collection_id and c.user_id = (select auth.uid())
    ))
  );

create policy workspace_assets_select_own on public.workspace_assets for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
