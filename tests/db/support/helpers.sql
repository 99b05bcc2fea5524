-- Test helpers for the pgTAP files, modelled on usebasejump/supabase-test-helpers and vendored
-- here so no network is needed. Installed once, as `postgres`, before tests/db/*.sql run;
-- re-running it is harmless. Each test file runs in a transaction that it rolls back, and
-- every identity switch below is transaction-local.

create schema if not exists tests;
comment on schema tests is 'pgTAP helpers: create users, switch identity (role + JWT claims), schema-wide checks.';
grant usage on schema tests to anon, authenticated, service_role;
alter default privileges in schema tests revoke execute on functions from public;

/**
 * ### tests.create_supabase_user(identifier text, email text, metadata jsonb)
 * Creates a user in auth.users (so handle_new_user gives it a profile and the basic_user role)
 * and tags it with `identifier` for the other helpers.
 * Returns the new user's id.
 * Example: `select tests.create_supabase_user('alice', metadata => '{"username": "alice"}');`
 */
create or replace function tests.create_supabase_user(
  identifier text,
  email text default null,
  metadata jsonb default '{}'::jsonb
) returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  _id uuid;
begin
  insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at, aud, role)
  values (
    gen_random_uuid(),
    coalesce(email, identifier || '@test.local'),
    coalesce(metadata, '{}'::jsonb) || jsonb_build_object('test_identifier', identifier),
    now(),
    'authenticated',
    'authenticated'
  )
  returning id into _id;
  return _id;
end
$$;
comment on function tests.create_supabase_user(text, text, jsonb) is 'Creates a tagged test user in auth.users and returns its id.';

/**
 * ### tests.get_supabase_uid(identifier text)
 * Returns the id of the test user created with `identifier`; raises when there is none.
 */
create or replace function tests.get_supabase_uid(identifier text) returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  _id uuid;
begin
  select u.id into _id from auth.users u
  where u.raw_user_meta_data ->> 'test_identifier' = identifier
  limit 1;
  if _id is null then
    raise exception 'User with identifier % not found', identifier;
  end if;
  return _id;
end
$$;
comment on function tests.get_supabase_uid(text) is 'Id of the test user tagged with the identifier.';

/**
 * ### tests.authenticate_as(identifier text)
 * Becomes that user for the rest of the transaction, as PostgREST does: role `authenticated`
 * and `request.jwt.claims` with sub, role, aud and email.
 */
create or replace function tests.authenticate_as(identifier text) returns void
language plpgsql
set search_path = ''
as $$
declare
  _id uuid := tests.get_supabase_uid(identifier);
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', json_build_object(
    'sub', _id,
    'role', 'authenticated',
    'aud', 'authenticated',
    'email', identifier || '@test.local'
  )::text, true);
end
$$;
comment on function tests.authenticate_as(text) is 'Switches to role authenticated with the test user''s JWT claims (transaction-local).';

/**
 * ### tests.authenticate_as_service_role()
 * Becomes the service role (bypasses RLS) for the rest of the transaction.
 */
create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
end
$$;
comment on function tests.authenticate_as_service_role() is 'Switches to role service_role with matching claims (transaction-local).';

/**
 * ### tests.authenticate_as_anon()
 * Becomes the anonymous API role for the rest of the transaction.
 */
create or replace function tests.authenticate_as_anon() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
end
$$;
comment on function tests.authenticate_as_anon() is 'Switches to role anon with matching claims (transaction-local).';

/**
 * ### tests.clear_authentication()
 * Back to `postgres` with no JWT claims.
 */
create or replace function tests.clear_authentication() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;
comment on function tests.clear_authentication() is 'Switches back to postgres and clears the JWT claims (transaction-local).';

/**
 * ### tests.rls_enabled(testing_schema text)
 * pgTAP assertion: every table in the schema has row level security enabled.
 */
create or replace function tests.rls_enabled(testing_schema text) returns text
language sql
set search_path = extensions, pg_catalog
as $$
  select is(
    (select count(*) from pg_catalog.pg_tables t
     where t.schemaname = testing_schema and not t.rowsecurity),
    0::bigint,
    format('All tables in the %I schema should have row level security enabled', testing_schema)
  )
$$;
comment on function tests.rls_enabled(text) is 'pgTAP: every table in the schema has RLS enabled.';

/**
 * ### tests.rls_enabled(testing_schema text, testing_table text)
 * pgTAP assertion: the table has row level security enabled.
 */
create or replace function tests.rls_enabled(testing_schema text, testing_table text) returns text
language sql
set search_path = extensions, pg_catalog
as $$
  select ok(
    coalesce((select t.rowsecurity from pg_catalog.pg_tables t
              where t.schemaname = testing_schema and t.tablename = testing_table), false),
    format('Table %I.%I should have row level security enabled', testing_schema, testing_table)
  )
$$;
comment on function tests.rls_enabled(text, text) is 'pgTAP: the table has RLS enabled.';

revoke execute on all functions in schema tests from public;
grant execute on all functions in schema tests to anon, authenticated, service_role;
