-- CHECK constraints not covered by the per-domain files: every closed set and bound refuses a
-- bad value with SQLSTATE 23514 (run as postgres, so only the constraints decide).
begin;
select plan(37);

select tests.create_supabase_user('alice');
insert into public.api_providers (id, name, display_name, adapter, base_url)
values ('99999999-0000-4000-8000-000000000001', 'test-checks', 'Checks', 'replicate', 'https://example.test/v1');

select throws_ok(
  $$update public.profiles set subscription_status = 'gold' where id = tests.get_supabase_uid('alice')$$,
  '23514', null, 'A bad value violates the CHECK on profiles.subscription_status'
);
select throws_ok(
  $$update public.profiles set token_balance = -1 where id = tests.get_supabase_uid('alice')$$,
  '23514', null, 'A bad value violates the CHECK on profiles.token_balance (never below zero)'
);
select throws_ok(
  $$update public.profiles set username = 'a b' where id = tests.get_supabase_uid('alice')$$,
  '23514', null, 'A bad value violates the CHECK on profiles.username format'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt) values (tests.get_supabase_uid('alice'), 'audio', 'x')$$,
  '23514', null, 'A bad value violates the CHECK on jobs.modality'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, quality) values (tests.get_supabase_uid('alice'), 'image', 'x', 'ultra')$$,
  '23514', null, 'A bad value violates the CHECK on jobs.quality'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, destination) values (tests.get_supabase_uid('alice'), 'image', 'x', 'desktop')$$,
  '23514', null, 'A bad value violates the CHECK on jobs.destination'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, moderation_status) values (tests.get_supabase_uid('alice'), 'image', 'x', 'maybe')$$,
  '23514', null, 'A bad value violates the CHECK on jobs.moderation_status'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, num_outputs) values (tests.get_supabase_uid('alice'), 'image', 'x', 0)$$,
  '23514', null, 'A bad value violates the CHECK on jobs.num_outputs'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, cost_credits) values (tests.get_supabase_uid('alice'), 'image', 'x', -1)$$,
  '23514', null, 'A bad value violates the CHECK on jobs.cost_credits'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt) values (tests.get_supabase_uid('alice'), 'image', '')$$,
  '23514', null, 'A bad value violates the CHECK on jobs.prompt not empty'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, format) values (tests.get_supabase_uid('alice'), 'image', 'x', 'gif')$$,
  '23514', null, 'A bad value violates the CHECK on jobs.format'
);
select throws_ok(
  $$insert into public.usage_logs (user_id, kind, action, credits_consumed, format) values (tests.get_supabase_uid('alice'), 'charge', 'x', 1, 'audio')$$,
  '23514', null, 'A bad value violates the CHECK on usage_logs.format'
);
select throws_ok(
  $$insert into public.usage_logs (user_id, kind, action, credits_consumed) values (tests.get_supabase_uid('alice'), 'refund', 'x', 3)$$,
  '23514', null, 'A bad value violates the CHECK on usage_logs refund sign'
);
select throws_ok(
  $$insert into public.webhook_events (provider, delivery_id, payload_hash, status) values ('replicate', 'm', repeat('a', 64), 'lost')$$,
  '23514', null, 'A bad value violates the CHECK on webhook_events.status'
);
select throws_ok(
  $$insert into public.api_usage_logs (request_type, response_status) values ('chat', 42)$$,
  '23514', null, 'A bad value violates the CHECK on api_usage_logs.response_status'
);
select throws_ok(
  $$insert into public.projects (user_id, original_prompt, media_type) values (tests.get_supabase_uid('alice'), 'x', 'audio')$$,
  '23514', null, 'A bad value violates the CHECK on projects.media_type'
);
select throws_ok(
  $$insert into public.conversations (user_id, conversation_type) values (tests.get_supabase_uid('alice'), 'email')$$,
  '23514', null, 'A bad value violates the CHECK on conversations.conversation_type'
);
select throws_ok(
  $$insert into public.conversations (user_id, status) values (tests.get_supabase_uid('alice'), 'deleted')$$,
  '23514', null, 'A bad value violates the CHECK on conversations.status'
);
select throws_ok(
  $$insert into public.conversations (user_id, memory_tier) values (tests.get_supabase_uid('alice'), 'forever')$$,
  '23514', null, 'A bad value violates the CHECK on conversations.memory_tier'
);
select throws_ok(
  $$insert into public.conversations (user_id, memory_data) values (tests.get_supabase_uid('alice'), '[]')$$,
  '23514', null, 'A bad value violates the CHECK on conversations.memory_data is an object'
);
select throws_ok(
  $$insert into public.characters (name, description, gender) values ('x', 'x', 'robot')$$,
  '23514', null, 'A bad value violates the CHECK on characters.gender'
);
select throws_ok(
  $$insert into public.characters (name, description, consistency_method) values ('x', 'x', 'magic')$$,
  '23514', null, 'A bad value violates the CHECK on characters.consistency_method'
);
select throws_ok(
  $$insert into public.user_collections (user_id, name) values (tests.get_supabase_uid('alice'), '')$$,
  '23514', null, 'A bad value violates the CHECK on user_collections.name not empty'
);
select throws_ok(
  $$insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type, original_prompt, model_used) values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/x.png', -1, 'image/png', 'x', 'x')$$,
  '23514', null, 'A bad value violates the CHECK on user_library.file_size_bytes'
);
select throws_ok(
  $$insert into public.user_library (user_id, asset_type, storage_path, file_size_bytes, mime_type, original_prompt, model_used) values (tests.get_supabase_uid('alice'), 'image', tests.get_supabase_uid('alice') || '/x.exe', 1, 'application/x-msdownload', 'x', 'x')$$,
  '23514', null, 'A bad value violates the CHECK on user_library.mime_type'
);
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url, auth_scheme) values ('x-p', 'x', 'replicate', 'https://x.test', 'basic')$$,
  '23514', null, 'A bad value violates the CHECK on api_providers.auth_scheme'
);
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url) values ('x-p', 'x', 'replicate', 'ftp://x.test')$$,
  '23514', null, 'A bad value violates the CHECK on api_providers.base_url scheme'
);
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url, secret_name) values ('x-p', 'x', 'replicate', 'https://x.test', 'not a name')$$,
  '23514', null, 'A bad value violates the CHECK on api_providers.secret_name is an env var name'
);
select throws_ok(
  $$insert into public.api_providers (name, display_name, adapter, base_url, rate_limits) values ('x-p', 'x', 'replicate', 'https://x.test', '600')$$,
  '23514', null, 'A bad value violates the CHECK on api_providers.rate_limits is an object'
);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task) values ('99999999-0000-4000-8000-000000000001', 'x/y', 'x', 'image', 'dreaming')$$,
  '23514', null, 'A bad value violates the CHECK on api_models.task'
);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task, capabilities) values ('99999999-0000-4000-8000-000000000001', 'x/y', 'x', 'image', 'generation', '[]')$$,
  '23514', null, 'A bad value violates the CHECK on api_models.capabilities is an object'
);
select throws_ok(
  $$insert into public.api_models (provider_id, model_key, display_name, modality, task, pricing) values ('99999999-0000-4000-8000-000000000001', 'x/y', 'x', 'image', 'generation', '1')$$,
  '23514', null, 'A bad value violates the CHECK on api_models.pricing is an object'
);
select throws_ok(
  $$insert into public.prompt_templates (use_case, content_mode, template_name, system_prompt, job_type) values ('enhancement', 'sfw', 'x', 'x', 'audio')$$,
  '23514', null, 'A bad value violates the CHECK on prompt_templates.job_type'
);
select throws_ok(
  $$insert into public.prompt_templates (use_case, content_mode, template_name, system_prompt) values ('Bad Case', 'sfw', 'x', 'x')$$,
  '23514', null, 'A bad value violates the CHECK on prompt_templates.use_case slug'
);
select throws_ok(
  $$insert into public.negative_prompts (model_type, content_mode, negative_prompt) values ('sdxl', 'pg', 'x')$$,
  '23514', null, 'A bad value violates the CHECK on negative_prompts.content_mode'
);

-- --- updated_at trigger ----------------------------------------------------------------------
insert into public.user_collections (id, user_id, name, updated_at)
values ('99999999-1000-4000-8000-000000000001', tests.get_supabase_uid('alice'), 'Stamped', now() - interval '1 day');
update public.user_collections set description = 'touched' where id = '99999999-1000-4000-8000-000000000001';
select is(
  (select updated_at from public.user_collections where id = '99999999-1000-4000-8000-000000000001'),
  now(), 'set_updated_at stamps updated_at on update'
);
update public.api_providers set updated_at = now() - interval '1 day' where id = '99999999-0000-4000-8000-000000000001';
select is(
  (select updated_at from public.api_providers where id = '99999999-0000-4000-8000-000000000001'),
  now(), 'set_updated_at wins over an explicit updated_at'
);

select * from finish();
rollback;
