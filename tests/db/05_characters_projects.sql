-- Characters (public readable, NSFW only for age-verified readers, counters not writable),
-- projects and scenes (owner-only).
begin;
select plan(36);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');

insert into public.characters (id, user_id, name, description, is_public, content_rating)
values ('55555555-0000-4000-8000-000000000001', null, 'Public SFW', 'x', true, 'sfw'),
       ('55555555-0000-4000-8000-000000000002', null, 'Public NSFW', 'x', true, 'nsfw'),
       ('55555555-0000-4000-8000-000000000003', tests.get_supabase_uid('bob'), 'Bob private', 'x', false, 'sfw');
insert into public.projects (id, user_id, original_prompt, media_type)
values ('55555555-1000-4000-8000-00000000000b', tests.get_supabase_uid('bob'), 'bob story', 'video');

-- --- Characters: Alice -----------------------------------------------------------------------
select tests.authenticate_as('alice');
select lives_ok(
  $$insert into public.characters (id, user_id, name, description) values ('55555555-0000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'Mine', 'x')$$,
  'A user creates a character'
);
select is(
  (select creator_id from public.characters where id = '55555555-0000-4000-8000-00000000000a'),
  tests.get_supabase_uid('alice'), 'The creator is taken from the JWT'
);
select throws_ok(
  $$insert into public.characters (user_id, name, description) values (tests.get_supabase_uid('bob'), 'Planted', 'x')$$,
  '42501', 'new row violates row-level security policy for table "characters"',
  'A user cannot create a character for someone else'
);
select throws_ok(
  $$insert into public.characters (user_id, name, description, likes_count) values (tests.get_supabase_uid('alice'), 'Popular', 'x', 1000)$$,
  '42501', 'permission denied for table characters', 'A user cannot set likes_count'
);
select results_eq(
  $$select name from public.characters where id::text like '55555555-0000-%' order by name$$, array['Mine', 'Public SFW'],
  'A user under no age verification sees own and public SFW characters only'
);
select throws_ok(
  $$update public.characters set interaction_count = 5 where id = '55555555-0000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table characters', 'A user cannot change counters'
);
select isnt_empty(
  $$update public.characters set is_public = true, persona = 'kind' where id = '55555555-0000-4000-8000-00000000000a' returning id$$,
  'A user edits their own character'
);
select is_empty(
  $$update public.characters set name = 'Defaced' where id = '55555555-0000-4000-8000-000000000001' returning id$$,
  'A user cannot edit a public character they do not own'
);
select is_empty(
  $$delete from public.characters where id = '55555555-0000-4000-8000-000000000001' returning id$$,
  'A user cannot delete a public character they do not own'
);

-- --- Characters: Bob (age-verified) ----------------------------------------------------------
select tests.authenticate_as('bob');
update public.profiles set birth_date = date '1990-01-01' where id = tests.get_supabase_uid('bob');
select results_eq(
  $$select name from public.characters where id::text like '55555555-0000-%' order by name$$, array['Bob private', 'Mine', 'Public NSFW', 'Public SFW'],
  'An age-verified user also sees public NSFW characters and other users'' public ones'
);
select is_empty(
  $$update public.characters set name = 'Defaced' where id = '55555555-0000-4000-8000-00000000000a' returning id$$,
  'Another user cannot edit a character'
);
select isnt_empty(
  $$delete from public.characters where id = '55555555-0000-4000-8000-000000000003' returning id$$,
  'A user deletes their own character'
);

-- --- Characters: admin and anon --------------------------------------------------------------
select tests.authenticate_as('admin');
select is((select count(*) from public.characters where id::text like '55555555-0000-%'), 3::bigint, 'An admin sees every character');
select lives_ok(
  $$insert into public.characters (user_id, name, description, is_public) values (null, 'Platform', 'x', true)$$,
  'An admin creates platform characters'
);
select isnt_empty(
  $$update public.characters set description = 'moderated' where id = '55555555-0000-4000-8000-00000000000a' returning id$$,
  'An admin moderates any character'
);
select tests.authenticate_as_anon();
select throws_ok($$select id from public.characters$$, '42501', 'permission denied for table characters', 'anon cannot read characters');

select tests.clear_authentication();
select throws_ok(
  $$insert into public.characters (name, description, content_rating) values ('x', 'x', 'pg13')$$,
  '23514', null, 'An unknown content rating violates its CHECK'
);
select throws_ok(
  $$insert into public.characters (name, description, role) values ('x', 'x', 'villain')$$,
  '23514', null, 'An unknown character role violates its CHECK'
);

-- --- Projects and scenes ---------------------------------------------------------------------
select tests.authenticate_as('alice');
select lives_ok(
  $$insert into public.projects (id, user_id, original_prompt, media_type, character_id) values ('55555555-1000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'my story', 'image', '55555555-0000-4000-8000-000000000001')$$,
  'A user creates a project around a visible character'
);
select throws_ok(
  $$insert into public.projects (user_id, original_prompt, media_type, character_id) values (tests.get_supabase_uid('alice'), 'x', 'image', '55555555-0000-4000-8000-000000000002')$$,
  '42501', 'new row violates row-level security policy for table "projects"',
  'A user cannot link a character they cannot see'
);
select results_eq(
  $$select id from public.projects$$, array['55555555-1000-4000-8000-00000000000a'::uuid],
  'A user sees only their own projects'
);
select isnt_empty(
  $$update public.projects set workflow_step = 'story_breakdown' where id = '55555555-1000-4000-8000-00000000000a' returning id$$,
  'A user updates their project'
);
select is_empty(
  $$update public.projects set title = 'mine' where id = '55555555-1000-4000-8000-00000000000b' returning id$$,
  'A user cannot update another user''s project'
);
select is_empty(
  $$delete from public.projects where id = '55555555-1000-4000-8000-00000000000b' returning id$$,
  'A user cannot delete another user''s project'
);
select lives_ok(
  $$insert into public.scenes (project_id, scene_number, description) values ('55555555-1000-4000-8000-00000000000a', 1, 'opening')$$,
  'A user adds a scene to their project'
);
select throws_ok(
  $$insert into public.scenes (project_id, scene_number, description) values ('55555555-1000-4000-8000-00000000000b', 1, 'planted')$$,
  '42501', 'new row violates row-level security policy for table "scenes"',
  'A user cannot add scenes to another user''s project'
);
select isnt_empty(
  $$update public.scenes set approved = true where project_id = '55555555-1000-4000-8000-00000000000a' returning id$$,
  'A user approves their scene'
);
select throws_ok(
  $$insert into public.scenes (project_id, scene_number, description) values ('55555555-1000-4000-8000-00000000000a', 1, 'again')$$,
  '23505', null, 'Scene numbers are unique per project'
);
select throws_ok(
  $$update public.projects set workflow_step = 'done' where id = '55555555-1000-4000-8000-00000000000a'$$,
  '23514', null, 'An unknown workflow step violates its CHECK'
);

select tests.authenticate_as('bob');
select is_empty($$select id from public.scenes$$, 'Another user sees none of the scenes');
select is_empty(
  $$update public.scenes set approved = false returning id$$,
  'Another user cannot update the scenes'
);
select is_empty(
  $$delete from public.scenes returning id$$,
  'Another user cannot delete the scenes'
);

select tests.authenticate_as('alice');
select isnt_empty(
  $$delete from public.scenes where project_id = '55555555-1000-4000-8000-00000000000a' returning id$$,
  'A user deletes their scene'
);
select isnt_empty(
  $$delete from public.projects where id = '55555555-1000-4000-8000-00000000000a' returning id$$,
  'A user deletes their project'
);

select tests.authenticate_as_anon();
select throws_ok($$select id from public.projects$$, '42501', 'permission denied for table projects', 'anon cannot read projects');
select throws_ok($$select id from public.scenes$$, '42501', 'permission denied for table scenes', 'anon cannot read scenes');

select * from finish();
rollback;
