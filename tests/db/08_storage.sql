-- Storage: the six active buckets with their flags and limits (no legacy buckets), the
-- storage.objects policies (own folder only in private buckets, admin-only writes in public
-- ones), and Storage's protect_delete trigger: SQL never deletes storage.objects rows, for any
-- role; removals go through the Storage API, whose delete policies are exercised by
-- tests/integration/object_store_rls_test.ts.
begin;
select plan(26);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');

insert into storage.objects (bucket_id, name, owner_id)
values ('workspace-temp', tests.get_supabase_uid('bob') || '/job/0.png', tests.get_supabase_uid('bob')::text),
       ('user-library', tests.get_supabase_uid('bob') || '/item.png', tests.get_supabase_uid('bob')::text),
       ('avatars', 'platform/luna.png', null);

-- --- Buckets ---------------------------------------------------------------------------------
select results_eq(
  $$select id, public, file_size_limit from storage.buckets order by id$$,
  $$values ('avatars', true, null::bigint), ('reference_images', false, 10485760::bigint),
      ('system_assets', true, 5242880::bigint), ('user-library', false, 52428800::bigint),
      ('videos', true, null::bigint), ('workspace-temp', false, 52428800::bigint)$$,
  'The six active buckets exist with their privacy and size limits'
);
select is_empty(
  $$select id from storage.buckets where id in ('image_high', 'sdxl_image_fast', 'sdxl_image_high', 'video_high')$$,
  'Legacy buckets are not created'
);
select is(
  (select allowed_mime_types from storage.buckets where id = 'workspace-temp'),
  array['image/jpeg', 'image/png', 'image/webp', 'video/mp4'],
  'workspace-temp accepts the generated image and video types'
);

-- --- Alice -----------------------------------------------------------------------------------
select tests.authenticate_as('alice');
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('reference_images', tests.get_supabase_uid('alice') || '/ref.png')$$,
  'A user uploads into their own folder of a private bucket'
);
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('workspace-temp', tests.get_supabase_uid('alice') || '/job/0.png')$$,
  'A user writes under their own folder in workspace-temp'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('workspace-temp', tests.get_supabase_uid('bob') || '/planted.png')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'A user cannot write into another user''s folder'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('reference_images', 'loose.png')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'A user cannot write outside any user folder'
);
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('avatars', tests.get_supabase_uid('alice') || '/me.png')$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'A user cannot write into a public bucket'
);
select results_eq(
  $$select name from storage.objects order by name$$,
  $$values (tests.get_supabase_uid('alice') || '/job/0.png'), (tests.get_supabase_uid('alice') || '/ref.png')$$,
  'A user sees only objects in their own folders (and cannot list public buckets)'
);
select is_empty(
  $$update storage.objects set metadata = '{}' where bucket_id = 'workspace-temp' and name like tests.get_supabase_uid('bob') || '/%' returning id$$,
  'A user cannot update another user''s objects'
);
select throws_ok(
  $$update storage.objects set name = tests.get_supabase_uid('bob') || '/moved.png' where name = tests.get_supabase_uid('alice') || '/ref.png'$$,
  '42501', 'new row violates row-level security policy for table "objects"',
  'A user cannot move an object into another user''s folder'
);
select throws_ok(
  $$delete from storage.objects where name like tests.get_supabase_uid('bob') || '/%'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'A direct delete of another user''s objects is refused by protect_delete'
);
select isnt_empty(
  $$update storage.objects set metadata = '{"size": 1}' where name = tests.get_supabase_uid('alice') || '/ref.png' returning id$$,
  'A user updates their own object'
);
select throws_ok(
  $$delete from storage.objects where name = tests.get_supabase_uid('alice') || '/ref.png'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'Even a user''s own object is removed only through the Storage API'
);
select results_eq(
  $$select id, file_size_limit from storage.buckets where id = 'user-library'$$,
  $$values ('user-library', 52428800::bigint)$$,
  'A user reads bucket rules (what the Storage adapter checks before a copy or a streamed upload)'
);

-- --- Bob -------------------------------------------------------------------------------------
select tests.authenticate_as('bob');
select is(
  (select count(*) from storage.objects where name like tests.get_supabase_uid('alice') || '/%'), 0::bigint,
  'Another user cannot read the objects'
);
select is(
  (select count(*) from storage.objects), 2::bigint,
  'Bob sees his own workspace and library objects'
);

-- --- Admin -----------------------------------------------------------------------------------
select tests.authenticate_as('admin');
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('system_assets', 'logo.svg')$$,
  'An admin writes into a public bucket'
);
select throws_ok(
  $$delete from storage.objects where bucket_id = 'avatars' and name = 'platform/luna.png'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'A direct delete from a public bucket is refused for an admin too'
);
select is(
  (select count(*) from storage.objects where name like tests.get_supabase_uid('bob') || '/%'), 0::bigint,
  'An admin has no read access to users'' private objects through the API'
);

-- --- Anon and service role -------------------------------------------------------------------
select tests.authenticate_as_anon();
select is_empty($$select id from storage.objects$$, 'anon sees no objects');
select throws_ok(
  $$insert into storage.objects (bucket_id, name) values ('videos', 'x.mp4')$$,
  '42501', 'new row violates row-level security policy for table "objects"', 'anon cannot upload'
);
select tests.authenticate_as_service_role();
select lives_ok(
  $$insert into storage.objects (bucket_id, name) values ('user-library', tests.get_supabase_uid('alice') || '/saved.png')$$,
  'The service role writes anywhere (the functions store outputs)'
);
select throws_ok(
  $$delete from storage.objects where name = tests.get_supabase_uid('alice') || '/saved.png'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'The service role cannot delete storage rows with SQL either'
);
select throws_ok(
  $$delete from storage.buckets where id = 'videos'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'Buckets are not deleted with SQL'
);
select tests.clear_authentication();
select throws_ok(
  $$delete from storage.objects where bucket_id = 'user-library'$$,
  '42501', 'Direct deletion from storage tables is not allowed. Use the Storage API instead.',
  'Nor can the migration role (postgres)'
);

select * from finish();
rollback;
