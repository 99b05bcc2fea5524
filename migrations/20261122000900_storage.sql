-- Storage: the six active buckets (legacy image_high, sdxl_image_*, video_high are not created)
-- and storage.objects policies. In the private buckets a user reads and writes only under
-- `<own user id>/...`; the public buckets are served by public URL and written by admins (or
-- the service role). The functions write generation outputs on the service path.

-- ---------------------------------------------------------------------------------------------
-- Buckets (limits from seeds/001, MIME types from the reference notes section 9)
-- ---------------------------------------------------------------------------------------------
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values
  ('workspace-temp', 'workspace-temp', false, 52428800,
    array['image/jpeg', 'image/png', 'image/webp', 'video/mp4']),
  ('user-library', 'user-library', false, 52428800,
    array['image/jpeg', 'image/png', 'image/webp', 'video/mp4']),
  ('reference_images', 'reference_images', false, 10485760,
    array['image/jpeg', 'image/png', 'image/webp', 'image/gif']),
  ('avatars', 'avatars', true, null,
    array['image/jpeg', 'image/png', 'image/webp', 'image/gif']),
  ('system_assets', 'system_assets', true, 5242880,
    array['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml']),
  ('videos', 'videos', true, null,
    array['video/mp4', 'video/mpeg', 'video/webm', 'video/quicktime'])
on conflict (id) do update set
  public = excluded.public,
  file_size_limit = excluded.file_size_limit,
  allowed_mime_types = excluded.allowed_mime_types;

-- ---------------------------------------------------------------------------------------------
-- Policies on storage.objects: one per command. Private buckets: own folder only. Public
-- buckets: served by public URL (no policy needed), so only admins may list them (updates and
-- deletes need the row to be visible) and write them.
-- ---------------------------------------------------------------------------------------------
create policy objects_select_own_folder_or_admin on storage.objects for select to authenticated
  using (
    (bucket_id in ('workspace-temp', 'user-library', 'reference_images')
      and (storage.foldername(name))[1] = (select auth.uid())::text)
    or (bucket_id in ('avatars', 'system_assets', 'videos')
      and (select public.has_role((select auth.uid()), 'admin')))
  );
create policy objects_insert_own_folder_or_admin on storage.objects for insert to authenticated
  with check (
    (bucket_id in ('workspace-temp', 'user-library', 'reference_images')
      and (storage.foldername(name))[1] = (select auth.uid())::text)
    or (bucket_id in ('avatars', 'system_assets', 'videos')
      and (select public.has_role((select auth.uid()), 'admin')))
  );
create policy objects_update_own_folder_or_admin on storage.objects for update to authenticated
  using (
    (bucket_id in ('workspace-temp', 'user-library', 'reference_images')
      and (storage.foldername(name))[1] = (select auth.uid())::text)
    or (bucket_id in ('avatars', 'system_assets', 'videos')
      and (select public.has_role((select auth.uid()), 'admin')))
  )
  with check (
    (bucket_id in ('workspace-temp', 'user-library', 'reference_images')
      and (storage.foldername(name))[1] = (select auth.uid())::text)
    or (bucket_id in ('avatars', 'system_assets', 'videos')
      and (select public.has_role((select auth.uid()), 'admin')))
  );
create policy objects_delete_own_folder_or_admin on storage.objects for delete to authenticated
  using (
    (bucket_id in ('workspace-temp', 'user-library', 'reference_images')
      and (storage.foldername(name))[1] = (select auth.uid())::text)
    or (bucket_id in ('avatars', 'system_assets', 'videos')
      and (select public.has_role((select auth.uid()), 'admin')))
  );
