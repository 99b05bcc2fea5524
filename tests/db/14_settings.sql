-- Settings read from system_config (20261203001000): setting_integer's fallbacks, the three
-- settings that used to be fixed in code (cooldown, idempotency window, workspace TTL), and a
-- purge that survives a malformed setting.
begin;
select plan(25);

-- --- setting_integer -------------------------------------------------------------------------
select is(public.setting_integer('{"k": 42}', 'k', 7), 42, 'a number is read');
select is(public.setting_integer('{"k": 42.9}', 'k', 7), 42, 'a fraction is floored');
select is(public.setting_integer('{}', 'k', 7), 7, 'a missing key gives the default');
select is(public.setting_integer(null, 'k', 7), 7, 'a missing row gives the default');
select is(public.setting_integer('{"k": "42"}', 'k', 7), 7, 'a string is not a number: the default');
select is(public.setting_integer('{"k": -1}', 'k', 7), 7, 'below the minimum: the default');
select is(public.setting_integer('{"k": 1e12}', 'k', 7), 7, 'beyond an integer: the default');
select is(public.setting_integer('{"k": 30}', 'k', 7, 1, 20), 7, 'beyond the given maximum: the default');

-- --- provider_failure_cooldown_seconds -------------------------------------------------------
insert into public.api_providers (id, name, display_name, adapter, base_url)
values ('00000000-0000-4000-8000-00000000ac01', 'settings-test', 'Settings test', 'replicate', 'https://api.replicate.com/v1');
insert into public.api_models (id, provider_id, model_key, display_name, modality, task)
values ('00000000-0000-4000-8000-00000000bc01', '00000000-0000-4000-8000-00000000ac01', 'o/s', 'S', 'image', 'generation');

update public.system_config set config = config || '{"provider_failure_cooldown_seconds": 600}' where id = 1;
select ok(public.record_model_outcome('00000000-0000-4000-8000-00000000bc01', false, 'boom', 1)
    between now() + interval '590 seconds' and now() + interval '610 seconds',
  'without an explicit cooldown the setting decides its length');
select ok(public.record_model_outcome('00000000-0000-4000-8000-00000000bc01', false, 'boom', 1, 5)
    between now() and now() + interval '15 seconds',
  'an explicit cooldown wins over the setting');
update public.system_config set config = config - 'provider_failure_cooldown_seconds' where id = 1;
select ok(public.record_model_outcome('00000000-0000-4000-8000-00000000bc01', false, 'boom', 1)
    between now() + interval '50 seconds' and now() + interval '70 seconds',
  'without the setting the cooldown is 60 seconds');

-- --- idempotency_ttl_hours -------------------------------------------------------------------
select tests.create_supabase_user('settings_user');
update public.profiles set token_balance = 100 where id = tests.get_supabase_uid('settings_user');
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('settings_user'),
  '{"modality": "image", "prompt": "a"}', 1, 'settings-key', 'h1', 10)), 'created', 'a job with a key');
update public.jobs set created_at = now() - interval '30 hours'
where user_id = tests.get_supabase_uid('settings_user') and idempotency_key = 'settings-key';
update public.system_config set config = config || '{"idempotency_ttl_hours": 48}' where id = 1;
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('settings_user'),
  '{"modality": "image", "prompt": "a"}', 1, 'settings-key', 'h1', 10)), 'replayed',
  'with idempotency_ttl_hours 48 a 30-hour-old key still replays');
update public.system_config set config = config || '{"idempotency_ttl_hours": 12}' where id = 1;
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('settings_user'),
  '{"modality": "image", "prompt": "a"}', 1, 'settings-key', 'h2', 10)), 'created',
  'with idempotency_ttl_hours 12 the same key is free again');

-- --- workspace_ttl_hours ---------------------------------------------------------------------
update public.system_config set config = config || '{"workspace_ttl_hours": 2}' where id = 1;
insert into public.workspace_assets (user_id, asset_type, temp_storage_path, file_size_bytes, mime_type,
  original_prompt, model_used)
values (tests.get_supabase_uid('settings_user'), 'image', tests.get_supabase_uid('settings_user') || '/x/0.png', 1,
  'image/png', 'a', 'o/s');
select ok((select expires_at from public.workspace_assets where user_id = tests.get_supabase_uid('settings_user'))
    between now() + interval '119 minutes' and now() + interval '121 minutes',
  'a workspace asset expires workspace_ttl_hours after it was written');
update public.system_config set config = config - 'workspace_ttl_hours' where id = 1;
select is(public.workspace_asset_expires_at(), now() + interval '168 hours',
  'without the setting workspace assets expire after a week');

-- --- purge_expired_records -----------------------------------------------------------------
select throws_ok(
  $$update public.system_config set config = config || '{"webhook_event_retention_days": "thirty"}' where id = 1$$,
  '23514', null, 'a setting that is not a number is refused when written'
);
select throws_ok(
  $$update public.system_config set config = config || '{"chat_requests_per_minute": "5"}' where id = 1$$,
  '23514', null, '... a number as a string too (it used to fall back to the default, loosening the limit)'
);
update public.system_config set config = config || '{"webhook_event_retention_days": -30}' where id = 1;
select lives_ok($$select public.purge_expired_records()$$, 'an out-of-range retention setting means the default, not a failing purge');

-- --- take_user_rate_slot ---------------------------------------------------------------------
update public.system_config set config = config || '{"chat_requests_per_minute": -30}' where id = 1;
select is(public.take_user_rate_slot(tests.get_supabase_uid('settings_user'), 'chat', 1), 0,
  'an out-of-range per-minute limit means the caller''s default, not a failing request: the first passes');
select ok(public.take_user_rate_slot(tests.get_supabase_uid('settings_user'), 'chat', 1) > 0,
  '... and that default (1) refuses the second');
update public.system_config set config = config || '{"chat_requests_per_minute": 1e12}' where id = 1;
select ok(public.take_user_rate_slot(tests.get_supabase_uid('settings_user'), 'chat', 1) > 0,
  'a limit past integer range is malformed too (the default of 1 is spent)');

-- --- privileges ------------------------------------------------------------------------------
select tests.authenticate_as('settings_user');
select throws_ok($$select public.setting_integer('{}', 'k', 1)$$, '42501', null,
  'a user cannot call setting_integer');
select throws_ok($$select public.workspace_asset_expires_at()$$, '42501', null,
  'a user cannot call workspace_asset_expires_at');
select tests.clear_authentication();
select tests.authenticate_as_service_role();
select ok(public.workspace_asset_expires_at() > now(), 'the service role can');
select tests.clear_authentication();

select * from finish();
rollback;
