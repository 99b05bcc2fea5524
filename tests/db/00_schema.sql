-- Schema-wide guarantees: RLS everywhere, no grants to anon, definer functions locked down,
-- no readable secret columns, policy style, FK indexes, updated_at triggers, realtime.
begin;
select plan(20);

-- --- Inventory -------------------------------------------------------------------------------
select set_eq(
  $$select tablename::text from pg_tables where schemaname = 'public'$$,
  array['profiles', 'user_roles', 'user_activity_log', 'jobs', 'user_library', 'user_collections',
    'workspace_assets', 'characters', 'character_scenes', 'scenes', 'projects', 'conversations',
    'messages', 'api_providers', 'api_models', 'prompt_templates', 'negative_prompts',
    'enhancement_presets', 'compel_configs', 'system_config', 'usage_logs',
    'model_performance_logs', 'model_config_history', 'model_test_results', 'prompt_ab_tests',
    'admin_development_progress', 'api_usage_logs', 'webhook_events', 'provider_rate_windows',
    'api_model_health', 'user_rate_windows'],
  'public holds the 26 inventory tables plus api_usage_logs, webhook_events, provider runtime state and user rate windows'
);
select tests.rls_enabled('public');
select is_empty(
  $$select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and obj_description(c.oid, 'pg_class') is null$$,
  'Every public table has a comment'
);

-- --- Grants ----------------------------------------------------------------------------------
select is_empty(
  $$select table_name::text from information_schema.role_table_grants
    where grantee = 'anon' and table_schema = 'public'$$,
  'anon holds no privilege on any public table'
);
select is_empty(
  $$select table_name || '.' || column_name from information_schema.column_privileges
    where grantee = 'anon' and table_schema = 'public'$$,
  'anon holds no column privilege in public'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and has_function_privilege('anon', p.oid, 'execute')$$,
  'anon can execute no function in public'
);
select set_eq(
  $$select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.prosecdef and has_function_privilege('authenticated', p.oid, 'execute')$$,
  -- has_role for policies; take_own_rate_slot counts the caller's own chat/enhance requests in
  -- a table users cannot write (open_chat_turn runs under RLS and needs it);
  -- own_conversation_links lets the conversations update policy read the stored row (a policy
  -- cannot query its own table) and answers for the caller's own conversations only.
  array['has_role', 'take_own_rate_slot', 'own_conversation_links'],
  'The only definer functions authenticated may execute are has_role, take_own_rate_slot and own_conversation_links'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and has_function_privilege('public', p.oid, 'execute')$$,
  'PUBLIC can execute no function in public'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and not coalesce(p.proconfig @> array['search_path=""'], false)$$,
  'Every public function pins search_path to empty'
);
select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and obj_description(p.oid, 'pg_proc') is null$$,
  'Every public function has a comment'
);
select ok(
  not has_column_privilege('authenticated', 'public.api_providers', 'secret_name', 'select')
  and not has_column_privilege('authenticated', 'public.api_providers', 'webhook_secret_name', 'select')
  and not has_column_privilege('anon', 'public.api_providers', 'secret_name', 'select')
  and not has_column_privilege('anon', 'public.api_providers', 'webhook_secret_name', 'select'),
  'Neither anon nor authenticated can read the secret name columns'
);
select ok(
  has_column_privilege('service_role', 'public.api_providers', 'secret_name', 'select'),
  'service_role reads secret_name (the functions resolve keys from it)'
);

-- --- Policies --------------------------------------------------------------------------------
select is_empty(
  $$select schemaname || '.' || tablename || ' ' || policyname from pg_policies
    where schemaname in ('public', 'storage') and roles <> '{authenticated}'$$,
  'Every policy is scoped to authenticated'
);
select is_empty(
  $$select schemaname || '.' || tablename || ' ' || policyname from pg_policies
    where schemaname in ('public', 'storage')
      and replace(coalesce(qual, '') || coalesce(with_check, ''), 'SELECT auth.uid() AS uid', '') ~ 'auth\.uid\(\)'$$,
  'Policies call auth.uid() only as (select auth.uid())'
);
select is_empty(
  $$select schemaname || '.' || tablename || ' ' || cmd from pg_policies
    where schemaname in ('public', 'storage')
    group by schemaname, tablename, cmd having count(*) > 1$$,
  'One policy per table and command'
);
select is_empty(
  $$select schemaname || '.' || tablename || ' ' || policyname from pg_policies
    where schemaname in ('public', 'storage') and cmd = 'ALL'$$,
  'No FOR ALL policies'
);

-- --- Indexes and triggers --------------------------------------------------------------------
select is_empty(
  $$select c.conrelid::regclass::text || '.' || a.attname
    from pg_constraint c
    join pg_namespace n on n.oid = c.connamespace
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where n.nspname = 'public' and c.contype = 'f'
      and not exists (
        select 1 from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1]
      )$$,
  'Every foreign key column leads an index'
);
select is_empty(
  $$select c.table_name::text from information_schema.columns c
    join pg_tables t on t.schemaname = c.table_schema and t.tablename = c.table_name
    where c.table_schema = 'public' and c.column_name = 'updated_at'
      and not exists (
        select 1 from pg_trigger tg join pg_proc p on p.oid = tg.tgfoid
        where tg.tgrelid = format('public.%I', c.table_name)::regclass
          and p.proname = 'set_updated_at' and not tg.tgisinternal
      )$$,
  'Every table with updated_at has the set_updated_at trigger'
);
select has_index('public', 'jobs', 'jobs_provider_prediction_id_idx', 'jobs are indexed by provider prediction id');

-- --- Realtime --------------------------------------------------------------------------------
select set_eq(
  $$select schemaname || '.' || tablename from pg_publication_tables where pubname = 'supabase_realtime'$$,
  array['public.jobs', 'public.workspace_assets'],
  'jobs and workspace_assets are in the supabase_realtime publication'
);

select * from finish();
rollback;
