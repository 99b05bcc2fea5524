-- Collections, library and workspace: ownership, column grants (users change only title, tags,
-- favourite, visibility and collection), paths under the owner's folder, the exact
-- asset_count trigger, unique job outputs.
begin;
select plan(39);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');

insert into public.jobs (id, user_id, modality, prompt)
values ('44444444-0000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'image', 'a cat');
insert into public.user_collections (id, user_id, name)
values ('44444444-1000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'Cats'),
       ('44444444-1000-4000-8000-00000000000b', tests.get_supabase_uid('alice'), 'Dogs'),
       ('44444444-1000-4000-8000-00000000000c', tests.get_supabase_uid('bob'), 'Bob''s');
insert into public.user_library (id, user_id, asset_type, storage_path, file_size_bytes, mime_type,
  original_prompt, model_used, source_job_id, asset_index)
values ('44444444-2000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'image',
        tests.get_supabase_uid('alice') || '/a.png', 10, 'image/png', 'a cat', 'sdxl',
        '44444444-0000-4000-8000-00000000000a', 0),
       ('44444444-2000-4000-8000-00000000000b', tests.get_supabase_uid('bob'), 'image',
        tests.get_supabase_uid('bob') || '/b.png', 10, 'image/png', 'a dog', 'sdxl', null, 0);
insert into public.workspace_assets (id, user_id, asset_type, temp_storage_path, file_size_bytes,
  mime_type, job_id, asset_index, original_prompt, model_used)
values ('44444444-3000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'image',
        tests.get_supabase_uid('alice') || '/j/0.png', 10, 'image/png',
        '44444444-0000-4000-8000-00000000000a', 0, 'a cat', 'sdxl'),
       ('44444444-3000-4000-8000-00000000000b', tests.get_supabase_uid('bob'), 'image',
        tests.get_supabase_uid('bob') || '/lib/0.png', 10, 'image/png', null, 0, 'a dog', 'sdxl');

-- --- Collections -----------------------------------------------------------------------------
select tests.authenticate_as('alice');
select results_eq(
  $$select name from public.user_collections order by name$$, array['Cats', 'Dogs'],
  'A user sees only their own collections'
);
select lives_ok(
  $$insert into public.user_collections (user_id, name) values (tests.get_supabase_uid('alice'), 'Birds')$$,
  'A user creates a collection'
);
select throws_ok(
  $$insert into public.user_collections (user_id, name) values (tests.get_supabase_uid('bob'), 'Planted')$$,
  '42501', 'new row violates row-level security policy for table "user_collections"',
  'A user cannot create a collection for someone else'
);
select throws_ok(
  $$update public.user_collections set asset_count = 99 where id = '44444444-1000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table user_collections', 'A user cannot set asset_count'
);
select isnt_empty(
  $$update public.user_collections set name = 'Kittens' where id = '44444444-1000-4000-8000-00000000000a' returning id$$,
  'A user renames their collection'
);
select is_empty(
  $$update public.user_collections set name = 'Mine' where id = '44444444-1000-4000-8000-00000000000c' returning id$$,
  'A user cannot rename another user''s collection'
);
select is_empty(
  $$delete from public.user_collections where id = '44444444-1000-4000-8000-00000000000c' returning id$$,
  'A user cannot delete another user''s collection'
);
select isnt_empty(
  $$delete from public.user_collections where name = 'Birds' returning id$$,
  'A user deletes their collection'
);

-- --- Library ---------------------------------------------------------------------------------
select results_eq(
  $$select id from public.user_library$$, array['44444444-2000-4000-8000-00000000000a'::uuid],
  'A user sees only their own library'
);
select isnt_empty(
  $$update public.user_library set custom_title = 'Tom', tags = '{cat}', is_favorite = true,
      visibility = 'unlisted', collection_id = '44444444-1000-4000-8000-00000000000a'
    where id = '44444444-2000-4000-8000-00000000000a' returning id$$,
  'A user changes title, tags, favourite, visibility and collection'
);
select throws_ok(
  $$update public.user_library set storage_path = tests.get_supabase_uid('bob') || '/b.png' where id = '44444444-2000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table user_library', 'A user cannot change a storage path'
);
select throws_ok(
  $$update public.user_library set file_size_bytes = 1 where id = '44444444-2000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table user_library', 'A user cannot change a size'
);
select throws_ok(
  $$update public.user_library set collection_id = '44444444-1000-4000-8000-00000000000c' where id = '44444444-2000-4000-8000-00000000000a'$$,
  '42501', 'new row violates row-level security policy for table "user_library"',
  'A user cannot file an item into another user''s collection'
);
select is_empty(
  $$update public.user_library set custom_title = 'mine' where id = '44444444-2000-4000-8000-00000000000b' returning id$$,
  'A user cannot change another user''s library item'
);
select throws_ok(
  $$insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('bob') || '/b.png', 1, 'image/png', 'x', 'x')$$,
  '42501', 'permission denied for table user_library', 'A user cannot insert library rows (the service path does)'
);
select throws_ok(
  $$delete from public.user_library where id = '44444444-2000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table user_library', 'A user cannot delete library rows directly (workspace-actions removes row and object)'
);

-- --- Workspace -------------------------------------------------------------------------------
select results_eq(
  $$select id from public.workspace_assets$$, array['44444444-3000-4000-8000-00000000000a'::uuid],
  'A user sees only their own workspace'
);
select throws_ok(
  $$insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes, mime_type, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/x.png', 1, 'image/png', 'x', 'x')$$,
  '42501', 'permission denied for table workspace_assets', 'A user cannot insert workspace rows'
);
select throws_ok(
  $$update public.workspace_assets set expires_at = now() + interval '10 years'$$,
  '42501', 'permission denied for table workspace_assets', 'A user cannot change workspace rows'
);
select throws_ok(
  $$delete from public.workspace_assets$$,
  '42501', 'permission denied for table workspace_assets', 'A user cannot delete workspace rows directly'
);

-- --- Admin and anon --------------------------------------------------------------------------
select tests.authenticate_as('admin');
select is((select count(*) from public.user_library), 2::bigint, 'An admin reads every library item');
select is((select count(*) from public.workspace_assets), 2::bigint, 'An admin reads every workspace item');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.user_library$$, '42501', 'permission denied for table user_library', 'anon cannot read libraries');
select throws_ok($$select id from public.workspace_assets$$, '42501', 'permission denied for table workspace_assets', 'anon cannot read workspaces');
select throws_ok($$select id from public.user_collections$$, '42501', 'permission denied for table user_collections', 'anon cannot read collections');

-- --- asset_count trigger ---------------------------------------------------------------------
select tests.clear_authentication();
select is(
  (select asset_count from public.user_collections where id = '44444444-1000-4000-8000-00000000000a'), 1,
  'Filing an item into a collection counts it'
);
select tests.authenticate_as('alice');
update public.user_library set collection_id = '44444444-1000-4000-8000-00000000000b' where id = '44444444-2000-4000-8000-00000000000a';
select tests.clear_authentication();
select results_eq(
  $$select asset_count from public.user_collections where id in ('44444444-1000-4000-8000-00000000000a', '44444444-1000-4000-8000-00000000000b') order by id$$,
  array[0, 1], 'Moving an item moves the count'
);
update public.user_library set custom_title = 'renamed' where id = '44444444-2000-4000-8000-00000000000a';
select is(
  (select asset_count from public.user_collections where id = '44444444-1000-4000-8000-00000000000b'), 1,
  'Editing other fields leaves the count'
);
insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type, original_prompt, model_used, collection_id)
values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/c.png', 1, 'image/png', 'x', 'x', '44444444-1000-4000-8000-00000000000b');
select is(
  (select asset_count from public.user_collections where id = '44444444-1000-4000-8000-00000000000b'), 2,
  'Inserting an item into a collection counts it'
);
update public.user_library set collection_id = null where id = '44444444-2000-4000-8000-00000000000a';
select is(
  (select asset_count from public.user_collections where id = '44444444-1000-4000-8000-00000000000b'), 1,
  'Taking an item out of a collection uncounts it'
);
delete from public.user_library where storage_path = tests.get_supabase_uid('alice') || '/c.png';
select is(
  (select asset_count from public.user_collections where id = '44444444-1000-4000-8000-00000000000b'), 0,
  'Deleting an item uncounts it'
);
update public.user_library set collection_id = '44444444-1000-4000-8000-00000000000b' where id = '44444444-2000-4000-8000-00000000000a';
delete from public.user_collections where id = '44444444-1000-4000-8000-00000000000b';
select is(
  (select collection_id from public.user_library where id = '44444444-2000-4000-8000-00000000000a'), null,
  'Deleting a collection keeps its items (collection_id set null)'
);

-- --- Constraints -----------------------------------------------------------------------------
select throws_ok(
  $$insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('bob') || '/b.png', 1, 'image/png', 'x', 'x')$$,
  '23514', null, 'A library path must be under the owner''s folder'
);
select throws_ok(
  $$insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type, original_prompt, model_used, source_job_id, asset_index)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/dup.png', 1, 'image/png', 'x', 'x', '44444444-0000-4000-8000-00000000000a', 0)$$,
  '23505', null, 'A job output is saved to the library once'
);
select throws_ok(
  $$update public.user_library set visibility = 'friends' where id = '44444444-2000-4000-8000-00000000000a'$$,
  '23514', null, 'An unknown visibility violates its CHECK'
);
select throws_ok(
  $$insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes, mime_type, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', 'workspace-temp/' || tests.get_supabase_uid('alice') || '/x.png', 1, 'image/png', 'x', 'x')$$,
  '23514', null, 'A workspace path is stored without the bucket name and under the owner''s folder'
);
select throws_ok(
  $$insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes, mime_type, job_id, asset_index, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/j/0b.png', 1, 'image/png', '44444444-0000-4000-8000-00000000000a', 0, 'x', 'x')$$,
  '23505', null, 'A job output is staged once'
);
select throws_ok(
  $$insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes, mime_type, original_prompt, model_used)
    values (tests.get_supabase_uid('alice'), 'audio', tests.get_supabase_uid('alice') || '/x.mp3', 1, 'audio/mpeg', 'x', 'x')$$,
  '23514', null, 'An unknown asset type violates its CHECK'
);
select ok(
  (select job_id is null and generation_seed is null and expires_at > now() + interval '6 days'
   from public.workspace_assets where id = '44444444-3000-4000-8000-00000000000b'),
  'A workspace item may have no job and no seed, and expires in 7 days by default'
);

select * from finish();
rollback;
