-- Provider registry: users read active providers (safe columns only) and active models of
-- active providers; admins manage everything; anon gets nothing; CHECKs and the one-default rule.
begin;
select plan(43);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');

insert into public.api_providers (id, name, display_name, adapter, base_url, secret_name)
values ('22222222-0000-4000-8000-000000000001', 'test-active', 'Active', 'replicate', 'https://example.test/v1', 'TEST_ACTIVE_KEY'),
       ('22222222-0000-4000-8000-000000000002', 'test-inactive', 'Inactive', 'openrouter', 'https://example.test/v1', 'TEST_INACTIVE_KEY');
update public.api_providers set is_active = false where id = '22222222-0000-4000-8000-000000000002';
insert into public.api_models (id, provider_id, model_key, display_name, modality, task, is_active)
values ('22222222-1000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000001', 'test/active-model', 'Active', 'image', 'upscale', true),
       ('22222222-1000-4000-8000-000000000002', '22222222-0000-4000-8000-000000000001', 'test/inactive-model', 'Inactive', 'image', 'upscale', false),
       ('22222222-1000-4000-8000-000000000003', '22222222-0000-4000-8000-000000000002', 'test/orphan-model', 'On inactive provider', 'image', 'upscale', true);

-- --- Alice (normal user) ---------------------------------------------------------------------
select tests.authenticate_as('alice');
select ok(
  exists (select 1 from public.api_providers where name = 'test-active')
  and not exists (select 1 from public.api_providers where name = 'test-inactive'),
  'A user reads active providers only'
);
select lives_ok(
  $$select id, name, display_name, adapter, base_url, rate_limits, allowed_output_hosts from public.api_providers$$,
  'A user reads the safe provider columns'
);
select throws_ok(
  $$select secret_name from public.api_providers$$,
  '42501', 'permission denied for table api_providers', 'A user cannot read secret_name'
);
select throws_ok(
  $$select webhook_secret_name from public.api_providers$$,
  '42501', 'permission denied for table api_providers', 'A user cannot read webhook_secret_name'
);
select throws_ok(
  $$select * from public.api_providers$$,
  '42501', 'permission denied for table api_providers', 'select * fails for users (secret columns are not granted)'
);
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url) values ('evil', 'Evil', 'replicate', 'https://evil.test')$$,
  '42501', 'permission denied for table api_providers',
  'A user cannot add providers'
);
select throws_ok(
  $$update public.api_providers set base_url = 'https://evil.test' where name = 'test-active' returning id$$,
  '42501', 'permission denied for table api_providers', 'A user cannot change a provider''s connection'
);
select is_empty(
  $$update public.api_providers set display_name = 'Mine' where name = 'test-active' returning id$$,
  'A user cannot change providers'
);
select is_empty(
  $$delete from public.api_providers where name = 'test-active' returning id$$,
  'A user cannot delete providers'
);
select results_eq(
  $$select model_key from public.api_models where model_key like 'test/%' order by model_key$$,
  array['test/active-model'], 'A user reads active models of active providers only'
);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task) values ('22222222-0000-4000-8000-000000000001', 'x/y', 'X', 'image', 'generation')$$,
  '42501', 'new row violates row-level security policy for table "api_models"',
  'A user cannot add models'
);
select is_empty(
  $$update public.api_models set pricing = '{}' where model_key = 'test/active-model' returning id$$,
  'A user cannot change models'
);
select is_empty(
  $$delete from public.api_models where model_key = 'test/active-model' returning id$$,
  'A user cannot delete models'
);

-- --- Admin -----------------------------------------------------------------------------------
select tests.authenticate_as('admin');
select is(
  (select count(*) from public.api_providers where name like 'test-%'), 2::bigint,
  'An admin reads inactive providers too'
);
select is(
  (select count(*) from public.api_models where model_key like 'test/%'), 3::bigint,
  'An admin reads every model'
);
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url, secret_name) values ('test-new', 'New', 'openai_compatible', 'https://new.test/v1', 'JWT_SECRET')$$,
  '42501', 'permission denied for table api_providers',
  'An admin cannot add a provider (it would choose which env var is sent where)'
);
select throws_ok(
  $$update public.api_providers set secret_name = 'SOME_KEY' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot change secret_name'
);
select throws_ok(
  $$update public.api_providers set webhook_secret_name = 'SOME_KEY' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot change webhook_secret_name'
);
select throws_ok(
  $$update public.api_providers set base_url = 'https://attacker.test/v1' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot change base_url'
);
select throws_ok(
  $$update public.api_providers set auth_scheme = 'header' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot change auth_scheme'
);
select throws_ok(
  $$update public.api_providers set auth_header_name = 'X-Leak' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot change auth_header_name'
);
select throws_ok(
  $$update public.api_providers set allowed_output_hosts = '{attacker.test}' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot change allowed_output_hosts'
);
select throws_ok(
  $$update public.api_providers set name = 'renamed', adapter = 'openrouter' where name = 'test-active'$$,
  '42501', 'permission denied for table api_providers', 'An admin cannot rename a provider or change its adapter'
);
select isnt_empty(
  $$update public.api_providers set display_name = 'Tuned', rate_limits = '{"requests_per_minute": 10}', is_active = true where name = 'test-active' returning id$$,
  'An admin can tune display_name, rate_limits and is_active'
);
select throws_ok(
  $$update public.api_providers set rate_limits = '{"requests_per_minute": "600"}' where name = 'test-active'$$,
  '23514', null, 'A per-minute limit that is a string is refused (the registry would pace nothing)'
);
select throws_ok(
  $$update public.api_providers set rate_limits = '{"requests_per_minute": 600.5}' where name = 'test-active'$$,
  '23514', null, '... a fraction too'
);
select throws_ok(
  $$update public.api_providers set rate_limits = '{"requests_per_minute": null}' where name = 'test-active'$$,
  '23514', null, '... and null'
);
-- Should a later migration widen the grant by mistake, the trigger still refuses.
select tests.clear_authentication();
grant update (base_url) on public.api_providers to authenticated;
select tests.authenticate_as('admin');
select throws_ok(
  $$update public.api_providers set base_url = 'https://attacker.test/v1' where name = 'test-active'$$,
  '42501', 'a provider''s connection columns change through migrations or the service role',
  'The trigger refuses a connection change by an API role even with a column grant'
);
select tests.clear_authentication();
revoke update (base_url) on public.api_providers from authenticated;
insert into public.api_providers (name, display_name, adapter, base_url, secret_name)
values ('test-new', 'New', 'openai_compatible', 'https://new.test/v1', 'NEW_KEY');
select tests.authenticate_as('admin');
select isnt_empty(
  $$update public.api_models set is_active = true where model_key = 'test/inactive-model' returning id$$,
  'An admin can change models'
);
select isnt_empty(
  $$delete from public.api_models where model_key = 'test/orphan-model' returning id$$,
  'An admin can delete models'
);
select isnt_empty(
  $$delete from public.api_providers where name = 'test-new' returning id$$,
  'An admin can delete providers'
);
select throws_ok(
  $$select secret_name from public.api_providers$$,
  '42501', 'permission denied for table api_providers', 'Secret names are write-only through the API, even for admins'
);

-- --- Anon ------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select id from public.api_providers$$, '42501', 'permission denied for table api_providers', 'anon cannot read providers');
select throws_ok($$select id from public.api_models$$, '42501', 'permission denied for table api_models', 'anon cannot read models');

-- --- Service role and constraints ------------------------------------------------------------
select tests.authenticate_as_service_role();
select is(
  (select secret_name from public.api_providers where name = 'test-active'), 'TEST_ACTIVE_KEY',
  'The service role reads secret_name'
);
select lives_ok(
  $$update public.api_providers set base_url = 'https://moved.example.test/v1', secret_name = 'TEST_ACTIVE_KEY_2' where name = 'test-active'$$,
  'The service role changes connection columns'
);
select throws_ok(
  $$update public.api_providers set secret_name = 'JWT_SECRET' where name = 'test-active'$$,
  '23514', null, 'No one can name a platform secret as a provider secret'
);
select throws_ok(
  $$update public.api_providers set webhook_secret_name = 'SUPABASE_SERVICE_ROLE_KEY' where name = 'test-active'$$,
  '23514', null, 'No one can name a platform secret as a webhook secret'
);
select tests.clear_authentication();
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url) values ('x-bad', 'X', 'fal', 'https://x.test')$$,
  '23514', null, 'An unknown adapter violates its CHECK'
);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task) values ('22222222-0000-4000-8000-000000000001', 'x/y', 'X', 'hologram', 'generation')$$,
  '23514', null, 'An unknown modality violates its CHECK'
);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task) values ('22222222-0000-4000-8000-000000000001', 'test/active-model', 'Again', 'image', 'upscale')$$,
  '23505', null, 'The same model key (without version) cannot be registered twice for a provider'
);
insert into public.api_models (provider_id, model_key, display_name, modality, task, is_default)
values ('22222222-0000-4000-8000-000000000001', 'test/default-a', 'A', 'audio', 'upscale', true);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task, is_default) values ('22222222-0000-4000-8000-000000000001', 'test/default-b', 'B', 'audio', 'upscale', true)$$,
  '23505', null, 'At most one default model per (modality, task)'
);
select lives_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task, capabilities) values ('22222222-0000-4000-8000-000000000001', 'brand-new/model', 'Any new model', 'video', 'generation', '{"legacy_job_types": ["anything_new"]}')$$,
  'A new model needs no schema change (no model lists in CHECKs)'
);

select * from finish();
rollback;
