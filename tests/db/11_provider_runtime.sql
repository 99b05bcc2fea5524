-- Provider runtime state: rate-limit slots and model cooldowns are atomic SQL, callable only on
-- the service path; admins can read the state, users cannot.
begin;
select plan(11);

insert into public.api_providers (id, name, display_name, adapter, base_url)
values ('00000000-0000-4000-8000-00000000aa01', 'runtime-test', 'Runtime test', 'replicate', 'https://api.replicate.com/v1');
insert into public.api_models (id, provider_id, model_key, display_name, modality, task)
values ('00000000-0000-4000-8000-00000000bb01', '00000000-0000-4000-8000-00000000aa01', 'o/m', 'M', 'image', 'generation');

-- --- rate slots ------------------------------------------------------------------------------
select is(public.take_provider_slot('00000000-0000-4000-8000-00000000aa01', 2), 0, 'first slot of the minute is granted');
select is(public.take_provider_slot('00000000-0000-4000-8000-00000000aa01', 2), 0, 'second slot is granted');
select ok(public.take_provider_slot('00000000-0000-4000-8000-00000000aa01', 2) between 1 and 60000,
  'past the limit the caller is told how long to wait (ms until the next window)');
select is((select request_count from public.provider_rate_windows where provider_id = '00000000-0000-4000-8000-00000000aa01'),
  2, 'a refused slot is not counted');

-- --- cooldown --------------------------------------------------------------------------------
select is(public.record_model_outcome('00000000-0000-4000-8000-00000000bb01', false, 'boom', 2, 60), null,
  'one failure under the threshold starts no cooldown');
select ok(public.record_model_outcome('00000000-0000-4000-8000-00000000bb01', false, 'boom', 2, 60) > now(),
  'the threshold-th consecutive failure starts a cooldown');
select is(public.record_model_outcome('00000000-0000-4000-8000-00000000bb01', true), null, 'a success ends it');
select is((select consecutive_failures from public.api_model_health where model_id = '00000000-0000-4000-8000-00000000bb01'),
  0, 'and resets the failure count');

-- --- privileges ------------------------------------------------------------------------------
select tests.create_supabase_user('runtime_user');
select tests.authenticate_as('runtime_user');
select throws_ok($$select public.take_provider_slot('00000000-0000-4000-8000-00000000aa01', 2)$$, '42501', null,
  'a user cannot take provider slots');
select throws_ok($$select public.record_model_outcome('00000000-0000-4000-8000-00000000bb01', true)$$, '42501', null,
  'a user cannot record model outcomes');
select is_empty($$select 1 from public.api_model_health$$, 'a non-admin user sees no model health rows');
select tests.clear_authentication();

select * from finish();
rollback;
