-- workspace-actions' schema: one library item per workspace asset, job-less workspace assets
-- (copies from the library) next to unique job outputs, and expire_workspace_assets (service
-- role only, expired rows only, bounded batches). Nothing in SQL deletes workspace rows without
-- their objects: there is no rows-only clean-up function or cron job (reference bug 21).
begin;
select plan(12);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

insert into public.jobs (id, user_id, modality, prompt)
values ('55555555-0000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'image', 'a cat');
insert into public.workspace_assets (id, user_id, asset_type, temp_storage_path, file_size_bytes,
  mime_type, job_id, asset_index, original_prompt, model_used, expires_at)
select ('55555555-3000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, tests.get_supabase_uid('alice'),
  'image', tests.get_supabase_uid('alice') || '/e/' || i || '.png', 10, 'image/png', null, 0, 'p',
  'm', now() - interval '1 minute'
from generate_series(1, 5) i;
insert into public.workspace_assets (id, user_id, asset_type, temp_storage_path, file_size_bytes,
  mime_type, job_id, asset_index, original_prompt, model_used)
values ('55555555-4000-4000-8000-00000000000a', tests.get_supabase_uid('bob'), 'image',
  tests.get_supabase_uid('bob') || '/live.png', 10, 'image/png', null, 0, 'p', 'm');

-- --- One item per workspace asset --------------------------------------------------------------
insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type,
  original_prompt, model_used, source_asset_id)
values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/s1.png', 10,
  'image/png', 'p', 'm', '55555555-3000-4000-8000-000000000001');
select throws_ok(
  $$insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type,
      original_prompt, model_used, source_asset_id)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/s2.png',
      10, 'image/png', 'p', 'm', '55555555-3000-4000-8000-000000000001')$$,
  '23505', null, 'A workspace asset is saved as one library item at most'
);
select lives_ok(
  $$insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes,
      mime_type, job_id, asset_index, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/c1.png', 10,
      'image/png', null, 0, 'p', 'm'), (tests.get_supabase_uid('alice'), 'image',
      tests.get_supabase_uid('alice') || '/c2.png', 10, 'image/png', null, 0, 'p', 'm')$$,
  'Workspace assets without a generating job (library copies) do not collide'
);
select throws_ok(
  $$insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes,
      mime_type, job_id, asset_index, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/j0.png', 10,
      'image/png', '55555555-0000-4000-8000-00000000000a', 0, 'p', 'm'),
      (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/j0b.png', 10,
      'image/png', '55555555-0000-4000-8000-00000000000a', 0, 'p', 'm')$$,
  '23505', null, 'A job output (job, index) is still unique'
);

-- --- expire_workspace_assets -----------------------------------------------------------------
select ok(
  not has_function_privilege('authenticated', 'public.expire_workspace_assets(integer)', 'execute')
  and not has_function_privilege('anon', 'public.expire_workspace_assets(integer)', 'execute')
  and has_function_privilege('service_role', 'public.expire_workspace_assets(integer)', 'execute'),
  'Only the service role runs the expiry'
);
select tests.authenticate_as_service_role();
select is(
  (select count(*)::int from public.expire_workspace_assets(2)), 2,
  'A batch takes at most its limit'
);
select is(
  (select count(*)::int from public.expire_workspace_assets(100)
   where user_id = tests.get_supabase_uid('alice')), 3,
  'The next batch takes the rest of the expired rows'
);
select is(
  (select count(*)::int from public.expire_workspace_assets(100)), 0,
  'Nothing expired is left: a rerun is a no-op'
);
select is(
  (select count(*)::int from public.workspace_assets where user_id = tests.get_supabase_uid('bob')), 1,
  'Unexpired assets stay'
);
select is(
  (select count(*)::int from public.expire_workspace_assets(0)), 0,
  'A limit below 1 is taken as 1 (and there is nothing to take)'
);
select tests.clear_authentication();

-- --- No rows-only clean-up ---------------------------------------------------------------------
select hasnt_function('public', 'cleanup_expired_workspace_assets', 'No rows-only expiry function');
select is_empty(
  $$select jobname from cron.job where command ilike '%workspace_assets%'$$,
  'No cron job deletes workspace rows (their objects need the Storage API: workspace-actions expires them)'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.prosrc ilike '%delete from storage.objects%'$$,
  'No function deletes storage.objects rows'
);

select * from finish();
rollback;
