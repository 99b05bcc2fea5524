-- Admin-only tables (prompting config, system_config, analytics, admin tracker): for each
-- table and command a non-admin user is refused or sees nothing, an admin succeeds, anon gets
-- nothing; then the CHECKs and unique keys. Model-keyed analytics reference api_models.
begin;
select plan(101);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');
insert into public.api_providers (id, name, display_name, adapter, base_url)
values ('77777777-0000-4000-8000-000000000001', 'test-admin-provider', 'Test', 'replicate', 'https://example.test/v1');
insert into public.api_models (id, provider_id, model_key, display_name, modality, task)
values ('77777777-1000-4000-8000-000000000001', '77777777-0000-4000-8000-000000000001', 'test/brand-new-model', 'Brand new', 'video', 'generation');

insert into public.prompt_templates (id, use_case, content_mode, template_name, system_prompt, target_model) values ('77777777-2000-4000-8000-000000000001', 'test_case', 'sfw', 'test template 1', 'x', 'target 1');
insert into public.negative_prompts (id, model_type, content_mode, negative_prompt) values ('77777777-2000-4000-8000-000000000002', 'testfam', 'sfw', 'blurry 1');
insert into public.enhancement_presets (id, preset_name) values ('77777777-2000-4000-8000-000000000003', 'test preset 1');
insert into public.compel_configs (id, config_name, weights, config_hash) values ('77777777-2000-4000-8000-000000000004', 'test', '{}', repeat('a', 64));
insert into public.model_performance_logs (id, api_model_id, date) values ('77777777-2000-4000-8000-000000000005', '77777777-1000-4000-8000-000000000001', date '2026-01-01');
insert into public.model_config_history (id, api_model_id, config_name, config_data) values ('77777777-2000-4000-8000-000000000006', '77777777-1000-4000-8000-000000000001', 'v1', '{}');
insert into public.model_test_results (id, prompt_text, test_series, test_tier) values ('77777777-2000-4000-8000-000000000007', 'a cat', 'series 1', 'artistic');
insert into public.prompt_ab_tests (id, test_name, test_series, baseline_config, enhanced_config) values ('77777777-2000-4000-8000-000000000008', 'test 1', 'series', '{}', '{}');
insert into public.admin_development_progress (id, feature_name, feature_category) values ('77777777-2000-4000-8000-000000000009', 'feature 1', 'admin');

-- --- prompt_templates ------------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.prompt_templates$$, 'A non-admin sees no prompt_templates rows');
select throws_ok(
  $$insert into public.prompt_templates (id, use_case, content_mode, template_name, system_prompt, target_model) values ('77777777-3000-4000-8000-000000000001', 'test_case', 'sfw', 'test template 2', 'x', 'target 2')$$,
  '42501', 'new row violates row-level security policy for table "prompt_templates"', 'A non-admin cannot insert into prompt_templates'
);
select is_empty($$update public.prompt_templates set description = 'edited' returning id$$, 'A non-admin cannot update prompt_templates');
select is_empty($$delete from public.prompt_templates returning id$$, 'A non-admin cannot delete from prompt_templates');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.prompt_templates where id = '77777777-2000-4000-8000-000000000001'$$, 'An admin reads prompt_templates');
select lives_ok(
  $$insert into public.prompt_templates (id, use_case, content_mode, template_name, system_prompt, target_model) values ('77777777-4000-4000-8000-000000000001', 'test_case', 'sfw', 'test template 3', 'x', 'target 3')$$,
  'An admin inserts into prompt_templates'
);
select isnt_empty($$update public.prompt_templates set description = 'edited' where id = '77777777-2000-4000-8000-000000000001' returning id$$, 'An admin updates prompt_templates');
select isnt_empty($$delete from public.prompt_templates where id = '77777777-4000-4000-8000-000000000001' returning id$$, 'An admin deletes from prompt_templates');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.prompt_templates$$, '42501', 'permission denied for table prompt_templates', 'anon cannot read prompt_templates');

-- --- negative_prompts ------------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.negative_prompts$$, 'A non-admin sees no negative_prompts rows');
select throws_ok(
  $$insert into public.negative_prompts (id, model_type, content_mode, negative_prompt) values ('77777777-3000-4000-8000-000000000002', 'testfam', 'sfw', 'blurry 2')$$,
  '42501', 'new row violates row-level security policy for table "negative_prompts"', 'A non-admin cannot insert into negative_prompts'
);
select is_empty($$update public.negative_prompts set priority = 5 returning id$$, 'A non-admin cannot update negative_prompts');
select is_empty($$delete from public.negative_prompts returning id$$, 'A non-admin cannot delete from negative_prompts');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.negative_prompts where id = '77777777-2000-4000-8000-000000000002'$$, 'An admin reads negative_prompts');
select lives_ok(
  $$insert into public.negative_prompts (id, model_type, content_mode, negative_prompt) values ('77777777-4000-4000-8000-000000000002', 'testfam', 'sfw', 'blurry 3')$$,
  'An admin inserts into negative_prompts'
);
select isnt_empty($$update public.negative_prompts set priority = 5 where id = '77777777-2000-4000-8000-000000000002' returning id$$, 'An admin updates negative_prompts');
select isnt_empty($$delete from public.negative_prompts where id = '77777777-4000-4000-8000-000000000002' returning id$$, 'An admin deletes from negative_prompts');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.negative_prompts$$, '42501', 'permission denied for table negative_prompts', 'anon cannot read negative_prompts');

-- --- enhancement_presets ---------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.enhancement_presets$$, 'A non-admin sees no enhancement_presets rows');
select throws_ok(
  $$insert into public.enhancement_presets (id, preset_name) values ('77777777-3000-4000-8000-000000000003', 'test preset 2')$$,
  '42501', 'new row violates row-level security policy for table "enhancement_presets"', 'A non-admin cannot insert into enhancement_presets'
);
select is_empty($$update public.enhancement_presets set usage_count = 1 returning id$$, 'A non-admin cannot update enhancement_presets');
select is_empty($$delete from public.enhancement_presets returning id$$, 'A non-admin cannot delete from enhancement_presets');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.enhancement_presets where id = '77777777-2000-4000-8000-000000000003'$$, 'An admin reads enhancement_presets');
select lives_ok(
  $$insert into public.enhancement_presets (id, preset_name) values ('77777777-4000-4000-8000-000000000003', 'test preset 3')$$,
  'An admin inserts into enhancement_presets'
);
select isnt_empty($$update public.enhancement_presets set usage_count = 1 where id = '77777777-2000-4000-8000-000000000003' returning id$$, 'An admin updates enhancement_presets');
select isnt_empty($$delete from public.enhancement_presets where id = '77777777-4000-4000-8000-000000000003' returning id$$, 'An admin deletes from enhancement_presets');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.enhancement_presets$$, '42501', 'permission denied for table enhancement_presets', 'anon cannot read enhancement_presets');

-- --- compel_configs --------------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.compel_configs$$, 'A non-admin sees no compel_configs rows');
select throws_ok(
  $$insert into public.compel_configs (id, config_name, weights, config_hash) values ('77777777-3000-4000-8000-000000000004', 'test', '{}', repeat('b', 64))$$,
  '42501', 'new row violates row-level security policy for table "compel_configs"', 'A non-admin cannot insert into compel_configs'
);
select is_empty($$update public.compel_configs set total_tests = 1 returning id$$, 'A non-admin cannot update compel_configs');
select is_empty($$delete from public.compel_configs returning id$$, 'A non-admin cannot delete from compel_configs');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.compel_configs where id = '77777777-2000-4000-8000-000000000004'$$, 'An admin reads compel_configs');
select lives_ok(
  $$insert into public.compel_configs (id, config_name, weights, config_hash) values ('77777777-4000-4000-8000-000000000004', 'test', '{}', repeat('c', 64))$$,
  'An admin inserts into compel_configs'
);
select isnt_empty($$update public.compel_configs set total_tests = 1 where id = '77777777-2000-4000-8000-000000000004' returning id$$, 'An admin updates compel_configs');
select isnt_empty($$delete from public.compel_configs where id = '77777777-4000-4000-8000-000000000004' returning id$$, 'An admin deletes from compel_configs');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.compel_configs$$, '42501', 'permission denied for table compel_configs', 'anon cannot read compel_configs');

-- --- model_performance_logs ------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.model_performance_logs$$, 'A non-admin sees no model_performance_logs rows');
select throws_ok(
  $$insert into public.model_performance_logs (id, api_model_id, date) values ('77777777-3000-4000-8000-000000000005', '77777777-1000-4000-8000-000000000001', date '2026-01-02')$$,
  '42501', 'new row violates row-level security policy for table "model_performance_logs"', 'A non-admin cannot insert into model_performance_logs'
);
select is_empty($$update public.model_performance_logs set total_generations = 1 returning id$$, 'A non-admin cannot update model_performance_logs');
select is_empty($$delete from public.model_performance_logs returning id$$, 'A non-admin cannot delete from model_performance_logs');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.model_performance_logs where id = '77777777-2000-4000-8000-000000000005'$$, 'An admin reads model_performance_logs');
select lives_ok(
  $$insert into public.model_performance_logs (id, api_model_id, date) values ('77777777-4000-4000-8000-000000000005', '77777777-1000-4000-8000-000000000001', date '2026-01-03')$$,
  'An admin inserts into model_performance_logs'
);
select isnt_empty($$update public.model_performance_logs set total_generations = 1 where id = '77777777-2000-4000-8000-000000000005' returning id$$, 'An admin updates model_performance_logs');
select isnt_empty($$delete from public.model_performance_logs where id = '77777777-4000-4000-8000-000000000005' returning id$$, 'An admin deletes from model_performance_logs');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.model_performance_logs$$, '42501', 'permission denied for table model_performance_logs', 'anon cannot read model_performance_logs');

-- --- model_config_history --------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.model_config_history$$, 'A non-admin sees no model_config_history rows');
select throws_ok(
  $$insert into public.model_config_history (id, api_model_id, config_name, config_data) values ('77777777-3000-4000-8000-000000000006', '77777777-1000-4000-8000-000000000001', 'v2', '{}')$$,
  '42501', 'new row violates row-level security policy for table "model_config_history"', 'A non-admin cannot insert into model_config_history'
);
select is_empty($$update public.model_config_history set notes = 'edited' returning id$$, 'A non-admin cannot update model_config_history');
select is_empty($$delete from public.model_config_history returning id$$, 'A non-admin cannot delete from model_config_history');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.model_config_history where id = '77777777-2000-4000-8000-000000000006'$$, 'An admin reads model_config_history');
select lives_ok(
  $$insert into public.model_config_history (id, api_model_id, config_name, config_data) values ('77777777-4000-4000-8000-000000000006', '77777777-1000-4000-8000-000000000001', 'v3', '{}')$$,
  'An admin inserts into model_config_history'
);
select isnt_empty($$update public.model_config_history set notes = 'edited' where id = '77777777-2000-4000-8000-000000000006' returning id$$, 'An admin updates model_config_history');
select isnt_empty($$delete from public.model_config_history where id = '77777777-4000-4000-8000-000000000006' returning id$$, 'An admin deletes from model_config_history');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.model_config_history$$, '42501', 'permission denied for table model_config_history', 'anon cannot read model_config_history');

-- --- model_test_results ----------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.model_test_results$$, 'A non-admin sees no model_test_results rows');
select throws_ok(
  $$insert into public.model_test_results (id, prompt_text, test_series, test_tier) values ('77777777-3000-4000-8000-000000000007', 'a cat', 'series 2', 'artistic')$$,
  '42501', 'new row violates row-level security policy for table "model_test_results"', 'A non-admin cannot insert into model_test_results'
);
select is_empty($$update public.model_test_results set notes = 'edited' returning id$$, 'A non-admin cannot update model_test_results');
select is_empty($$delete from public.model_test_results returning id$$, 'A non-admin cannot delete from model_test_results');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.model_test_results where id = '77777777-2000-4000-8000-000000000007'$$, 'An admin reads model_test_results');
select lives_ok(
  $$insert into public.model_test_results (id, prompt_text, test_series, test_tier) values ('77777777-4000-4000-8000-000000000007', 'a cat', 'series 3', 'artistic')$$,
  'An admin inserts into model_test_results'
);
select isnt_empty($$update public.model_test_results set notes = 'edited' where id = '77777777-2000-4000-8000-000000000007' returning id$$, 'An admin updates model_test_results');
select isnt_empty($$delete from public.model_test_results where id = '77777777-4000-4000-8000-000000000007' returning id$$, 'An admin deletes from model_test_results');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.model_test_results$$, '42501', 'permission denied for table model_test_results', 'anon cannot read model_test_results');

-- --- prompt_ab_tests -------------------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.prompt_ab_tests$$, 'A non-admin sees no prompt_ab_tests rows');
select throws_ok(
  $$insert into public.prompt_ab_tests (id, test_name, test_series, baseline_config, enhanced_config) values ('77777777-3000-4000-8000-000000000008', 'test 2', 'series', '{}', '{}')$$,
  '42501', 'new row violates row-level security policy for table "prompt_ab_tests"', 'A non-admin cannot insert into prompt_ab_tests'
);
select is_empty($$update public.prompt_ab_tests set total_participants = 1 returning id$$, 'A non-admin cannot update prompt_ab_tests');
select is_empty($$delete from public.prompt_ab_tests returning id$$, 'A non-admin cannot delete from prompt_ab_tests');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.prompt_ab_tests where id = '77777777-2000-4000-8000-000000000008'$$, 'An admin reads prompt_ab_tests');
select lives_ok(
  $$insert into public.prompt_ab_tests (id, test_name, test_series, baseline_config, enhanced_config) values ('77777777-4000-4000-8000-000000000008', 'test 3', 'series', '{}', '{}')$$,
  'An admin inserts into prompt_ab_tests'
);
select isnt_empty($$update public.prompt_ab_tests set total_participants = 1 where id = '77777777-2000-4000-8000-000000000008' returning id$$, 'An admin updates prompt_ab_tests');
select isnt_empty($$delete from public.prompt_ab_tests where id = '77777777-4000-4000-8000-000000000008' returning id$$, 'An admin deletes from prompt_ab_tests');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.prompt_ab_tests$$, '42501', 'permission denied for table prompt_ab_tests', 'anon cannot read prompt_ab_tests');

-- --- admin_development_progress --------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.admin_development_progress$$, 'A non-admin sees no admin_development_progress rows');
select throws_ok(
  $$insert into public.admin_development_progress (id, feature_name, feature_category) values ('77777777-3000-4000-8000-000000000009', 'feature 2', 'admin')$$,
  '42501', 'new row violates row-level security policy for table "admin_development_progress"', 'A non-admin cannot insert into admin_development_progress'
);
select is_empty($$update public.admin_development_progress set notes = 'edited' returning id$$, 'A non-admin cannot update admin_development_progress');
select is_empty($$delete from public.admin_development_progress returning id$$, 'A non-admin cannot delete from admin_development_progress');
select tests.authenticate_as('admin');
select isnt_empty($$select id from public.admin_development_progress where id = '77777777-2000-4000-8000-000000000009'$$, 'An admin reads admin_development_progress');
select lives_ok(
  $$insert into public.admin_development_progress (id, feature_name, feature_category) values ('77777777-4000-4000-8000-000000000009', 'feature 3', 'admin')$$,
  'An admin inserts into admin_development_progress'
);
select isnt_empty($$update public.admin_development_progress set notes = 'edited' where id = '77777777-2000-4000-8000-000000000009' returning id$$, 'An admin updates admin_development_progress');
select isnt_empty($$delete from public.admin_development_progress where id = '77777777-4000-4000-8000-000000000009' returning id$$, 'An admin deletes from admin_development_progress');
select tests.authenticate_as_anon();
select throws_ok($$select id from public.admin_development_progress$$, '42501', 'permission denied for table admin_development_progress', 'anon cannot read admin_development_progress');

-- --- system_config (singleton) --------------------------------------------------------------
select tests.authenticate_as('alice');
select is_empty($$select id from public.system_config$$, 'A non-admin cannot read system_config');
select is_empty($$update public.system_config set config = '{}' returning id$$, 'A non-admin cannot update system_config');
select throws_ok(
  $$insert into public.system_config (id, config) values (1, '{}')$$,
  '42501', 'permission denied for table system_config', 'Nobody inserts system_config through the API'
);
select tests.authenticate_as('admin');
select ok((select config ? 'max_active_jobs_per_user' from public.system_config where id = 1), 'An admin reads system_config (created by the migration)');
select isnt_empty(
  $$update public.system_config set config = config || '{"starting_credits": 50}' where id = 1 returning id$$,
  'An admin updates system_config'
);
select throws_ok(
  $$delete from public.system_config$$,
  '42501', 'permission denied for table system_config', 'Nobody deletes system_config through the API'
);
select tests.authenticate_as_anon();
select throws_ok($$select id from public.system_config$$, '42501', 'permission denied for table system_config', 'anon cannot read system_config');

-- --- Constraints -----------------------------------------------------------------------------
select tests.clear_authentication();
select throws_ok(
  $$insert into public.system_config (id) values (2)$$, '23514', null, 'system_config holds a single row'
);
select throws_ok(
  $$insert into public.prompt_templates (use_case, content_mode, template_name, system_prompt) values ('test_case', 'mature', 'x', 'x')$$,
  '23514', null, 'An unknown template content mode violates its CHECK'
);
insert into public.prompt_templates (use_case, content_mode, job_type, target_model, template_name, system_prompt)
values ('test_case', 'nsfw', 'image', 'test/brand-new-model', 'lookup a', 'x');
select throws_ok(
  $$insert into public.prompt_templates (use_case, content_mode, job_type, target_model, template_name, system_prompt) values ('test_case', 'nsfw', 'image', 'test/brand-new-model', 'lookup b', 'y')$$,
  '23505', null, 'Two active templates cannot answer the same lookup'
);
select lives_ok(
  $$insert into public.prompt_templates (use_case, content_mode, job_type, target_model, template_name, system_prompt, is_active) values ('test_case', 'nsfw', 'image', 'test/brand-new-model', 'lookup b', 'y', false)$$,
  'An inactive template may share the lookup of an active one'
);
select throws_ok(
  $$insert into public.negative_prompts (model_type, content_mode, generation_mode, negative_prompt) values ('x', 'sfw', 'outpaint', 'x')$$,
  '23514', null, 'An unknown generation mode violates its CHECK'
);
select throws_ok(
  $$insert into public.compel_configs (config_name, weights, config_hash) values ('x', '{}', 'short')$$,
  '23514', null, 'A compel config hash must be sha256 hex'
);
select throws_ok(
  $$insert into public.enhancement_presets (preset_name, usage_count) values ('negative', -1)$$,
  '23514', null, 'A negative usage count violates its CHECK'
);
select throws_ok(
  $$insert into public.model_performance_logs (api_model_id, date, total_generations, successful_generations) values ('77777777-1000-4000-8000-000000000001', date '2026-02-01', 1, 2)$$,
  '23514', null, 'Outcome counts cannot exceed the total'
);
select throws_ok(
  $$insert into public.model_performance_logs (api_model_id, date) values ('77777777-1000-4000-8000-000000000001', date '2026-01-01')$$,
  '23505', null, 'One performance row per model and day'
);
select throws_ok(
  $$insert into public.model_test_results (prompt_text, test_series, test_tier) values ('x', 'x', 'extreme')$$,
  '23514', null, 'An unknown test tier violates its CHECK'
);
select throws_ok(
  $$insert into public.prompt_ab_tests (test_name, test_series, baseline_config, enhanced_config, is_complete) values ('x', 'x', '{}', '{}', true)$$,
  '23514', null, 'A completed A/B test needs completed_at'
);
select throws_ok(
  $$insert into public.admin_development_progress (feature_name, feature_category, status) values ('x', 'x', 'done')$$,
  '23514', null, 'An unknown feature status violates its CHECK'
);
select throws_ok(
  $$insert into public.admin_development_progress (feature_name, feature_category, priority) values ('x', 'x', 'P9')$$,
  '23514', null, 'An unknown priority violates its CHECK'
);

select * from finish();
rollback;
