-- Identity: handle_new_user, profiles (RLS, column grants, profiles_guard birth-date rule),
-- user_roles, has_role's enumeration guard, user_activity_log.
begin;
select plan(43);

update public.system_config set config = config || '{"starting_credits": 7}' where id = 1;
select tests.create_supabase_user('alice', metadata => '{"username": "alice_1"}');
select tests.create_supabase_user('bob', metadata => '{"username": "no spaces allowed"}');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');
insert into public.characters (id, user_id, name, description, role)
values ('11111111-0000-4000-8000-000000000001', tests.get_supabase_uid('alice'), 'Alice persona', 'me', 'user'),
       ('11111111-0000-4000-8000-000000000002', tests.get_supabase_uid('bob'), 'Bob persona', 'me', 'user');

-- --- handle_new_user -------------------------------------------------------------------------
select is(
  (select token_balance from public.profiles where id = tests.get_supabase_uid('alice')),
  7, 'A new user gets system_config.starting_credits'
);
select is(
  (select username from public.profiles where id = tests.get_supabase_uid('alice')),
  'alice_1', 'A valid username from the sign-up metadata is kept'
);
select is(
  (select username from public.profiles where id = tests.get_supabase_uid('bob')),
  null, 'An invalid username is dropped'
);
select results_eq(
  $$select role::text from public.user_roles where user_id = tests.get_supabase_uid('alice')$$,
  array['basic_user'], 'A new user gets the basic_user role'
);
update public.system_config set config = config - 'starting_credits' where id = 1;
select tests.create_supabase_user('carol');
select is(
  (select token_balance from public.profiles where id = tests.get_supabase_uid('carol')),
  0, 'Without a starting_credits setting a new user gets no credits'
);

-- --- Alice (normal user) ---------------------------------------------------------------------
select tests.authenticate_as('alice');
select results_eq(
  $$select id from public.profiles$$,
  array[tests.get_supabase_uid('alice')], 'A user sees only their own profile'
);
select lives_ok(
  $$update public.profiles set username = 'alice_2' where id = tests.get_supabase_uid('alice')$$,
  'A user can change their username'
);
select is_empty(
  $$update public.profiles set username = 'hijack' where id = tests.get_supabase_uid('bob') returning id$$,
  'A user cannot update another profile'
);
select throws_ok(
  $$update public.profiles set token_balance = 100000 where id = tests.get_supabase_uid('alice')$$,
  '42501', 'permission denied for table profiles', 'A user cannot change their token_balance'
);
select throws_ok(
  $$update public.profiles set subscription_status = 'pro' where id = tests.get_supabase_uid('alice')$$,
  '42501', 'permission denied for table profiles', 'A user cannot change their subscription_status'
);
select throws_ok(
  $$update public.profiles set age_verified = true where id = tests.get_supabase_uid('alice')$$,
  '42501', 'permission denied for table profiles', 'A user cannot set age_verified directly'
);
select throws_ok(
  $$insert into public.profiles (id) values (gen_random_uuid())$$,
  '42501', 'permission denied for table profiles', 'A user cannot insert profiles'
);
select throws_ok(
  $$delete from public.profiles where id = tests.get_supabase_uid('alice')$$,
  '42501', 'permission denied for table profiles', 'A user cannot delete profiles'
);
select throws_ok(
  $$update public.profiles set birth_date = current_date + 1 where id = tests.get_supabase_uid('alice')$$,
  '23514', 'birth_date cannot be in the future', 'A birth date in the future is refused'
);
select lives_ok(
  $$update public.profiles set birth_date = (current_date - interval '10 years')::date where id = tests.get_supabase_uid('alice')$$,
  'A user can declare a birth date once'
);
select is(
  (select age_verified from public.profiles where id = tests.get_supabase_uid('alice')),
  false, 'A birth date under 18 years ago does not verify age'
);
select throws_ok(
  $$update public.profiles set birth_date = date '1990-01-01' where id = tests.get_supabase_uid('alice')$$,
  '42501', 'birth_date can only be set once', 'A birth date cannot be changed once set'
);
select throws_ok(
  $$update public.profiles set default_user_character_id = '11111111-0000-4000-8000-000000000002' where id = tests.get_supabase_uid('alice')$$,
  '42501', 'default_user_character_id must be one of your own characters',
  'A user cannot make another user''s character their default persona'
);
select lives_ok(
  $$update public.profiles set default_user_character_id = '11111111-0000-4000-8000-000000000001' where id = tests.get_supabase_uid('alice')$$,
  'A user can choose one of their own characters as default persona'
);

select tests.authenticate_as('bob');
update public.profiles set birth_date = date '1990-01-01' where id = tests.get_supabase_uid('bob');
select is(
  (select age_verified and age_verification_date is not null from public.profiles where id = tests.get_supabase_uid('bob')),
  true, 'Declaring a birth date 18+ years ago verifies age (the documented rule)'
);

-- --- user_roles and has_role -----------------------------------------------------------------
select tests.authenticate_as('alice');
select results_eq(
  $$select user_id from public.user_roles$$,
  array[tests.get_supabase_uid('alice')], 'A user sees only their own roles'
);
select throws_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('alice'), 'admin')$$,
  '42501', 'new row violates row-level security policy for table "user_roles"',
  'A user cannot grant themself a role'
);
select is_empty(
  $$delete from public.user_roles where user_id = tests.get_supabase_uid('alice') returning id$$,
  'A user cannot delete their own roles'
);
select is(
  public.has_role(tests.get_supabase_uid('admin'), 'admin'), false,
  'A user cannot find out whether someone else is admin'
);
select is(
  public.has_role(tests.get_supabase_uid('alice'), 'basic_user'), true,
  'A user can ask about their own roles'
);

select tests.authenticate_as('admin');
select is(public.has_role(tests.get_supabase_uid('admin'), 'admin'), true, 'An admin holds the admin role');
select ok(
  (select count(*) from public.profiles) >= 4, 'An admin sees every profile'
);
select lives_ok(
  $$insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('bob'), 'premium_user')$$,
  'An admin can grant roles'
);
select isnt_empty(
  $$delete from public.user_roles where user_id = tests.get_supabase_uid('bob') and role = 'premium_user' returning id$$,
  'An admin can revoke roles'
);
select is_empty(
  $$update public.profiles set username = 'admin_edit' where id = tests.get_supabase_uid('alice') returning id$$,
  'An admin cannot edit other profiles through the API (service path only)'
);

select tests.authenticate_as_service_role();
select is(public.has_role(tests.get_supabase_uid('admin'), 'admin'), true, 'The service role can ask about anyone');
select lives_ok(
  $$update public.profiles set token_balance = 50 where id = tests.get_supabase_uid('alice')$$,
  'The service role can change credits'
);

select tests.authenticate_as_anon();
select throws_ok(
  $$select public.has_role(gen_random_uuid(), 'admin')$$,
  '42501', 'permission denied for function has_role', 'anon cannot call has_role'
);
select throws_ok(
  $$select * from public.profiles$$,
  '42501', 'permission denied for table profiles', 'anon cannot read profiles'
);
select throws_ok(
  $$select * from public.user_roles$$,
  '42501', 'permission denied for table user_roles', 'anon cannot read roles'
);

-- --- user_activity_log -----------------------------------------------------------------------
select tests.authenticate_as_service_role();
select lives_ok(
  $$select public.record_user_activity(tests.get_supabase_uid('alice'), 'job.create', 'job', 'x')$$,
  'The service role records activity'
);
select public.record_user_activity(tests.get_supabase_uid('bob'), 'job.create', 'job', 'y');
-- A token whose account is gone: kept without a user (no foreign-key failure to roll back a
-- group of other requests' writes), naming the id the token carried.
select public.record_user_activity('00000000-0000-4000-8000-0000000000dd', 'job.create');
select is(
  (select array_agg(metadata ->> 'user_id_without_profile') from public.user_activity_log
   where user_id is null),
  array['00000000-0000-4000-8000-0000000000dd'], 'Activity of a user without a profile is kept, without a user'
);

select tests.authenticate_as('alice');
select results_eq(
  $$select action from public.user_activity_log$$,
  array['job.create'], 'A user sees only their own activity'
);
select throws_ok(
  $$insert into public.user_activity_log (user_id, action) values (tests.get_supabase_uid('alice'), 'forged')$$,
  '42501', 'permission denied for table user_activity_log', 'A user cannot write audit rows'
);
select throws_ok(
  $$select public.record_user_activity(tests.get_supabase_uid('alice'), 'forged')$$,
  '42501', 'permission denied for function record_user_activity', 'A user cannot call record_user_activity'
);
select throws_ok(
  $$delete from public.user_activity_log$$,
  '42501', 'permission denied for table user_activity_log', 'A user cannot delete audit rows'
);

select tests.authenticate_as('admin');
select is(
  (select count(*) from public.user_activity_log where user_id in (tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob'))),
  2::bigint, 'An admin reads every user''s activity'
);

select tests.clear_authentication();
select throws_ok(
  $$insert into public.user_activity_log (action) values ('')$$,
  '23514', null, 'An empty action violates its CHECK'
);

select * from finish();
rollback;
