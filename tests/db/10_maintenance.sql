-- Maintenance: the per-model daily rollup, retention of webhook events and idempotency keys,
-- who may run them, and their pg_cron schedules.
begin;
select plan(14);

select tests.create_supabase_user('alice');
insert into public.api_providers (id, name, display_name, adapter, base_url)
values ('aaaaaaaa-0000-4000-8000-000000000001', 'test-rollup', 'Rollup', 'replicate', 'https://example.test/v1');
insert into public.api_models (id, provider_id, model_key, display_name, modality, task)
values ('aaaaaaaa-1000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000001', 'test/rollup-model', 'Rollup', 'image', 'generation');
insert into public.jobs (user_id, api_model_id, modality, prompt, status, started_at, completed_at, quality_rating)
values
  (tests.get_supabase_uid('alice'), 'aaaaaaaa-1000-4000-8000-000000000001', 'image', 'a', 'completed',
   timestamptz '2026-03-01 10:00:00+00', timestamptz '2026-03-01 10:00:10+00', 8),
  (tests.get_supabase_uid('alice'), 'aaaaaaaa-1000-4000-8000-000000000001', 'image', 'b', 'completed',
   timestamptz '2026-03-01 11:00:00+00', timestamptz '2026-03-01 11:00:20+00', 6),
  (tests.get_supabase_uid('alice'), 'aaaaaaaa-1000-4000-8000-000000000001', 'image', 'c', 'failed',
   null, timestamptz '2026-03-01 12:00:00+00', null),
  (tests.get_supabase_uid('alice'), 'aaaaaaaa-1000-4000-8000-000000000001', 'image', 'd', 'cancelled',
   null, timestamptz '2026-03-01 23:59:59+00', null),
  (tests.get_supabase_uid('alice'), 'aaaaaaaa-1000-4000-8000-000000000001', 'image', 'e', 'completed',
   timestamptz '2026-03-02 00:00:00+00', timestamptz '2026-03-02 00:00:05+00', null);
insert into public.jobs (user_id, api_model_id, modality, prompt)
values (tests.get_supabase_uid('alice'), 'aaaaaaaa-1000-4000-8000-000000000001', 'image', 'still queued');

-- --- Rollup ----------------------------------------------------------------------------------
select is(public.rollup_model_performance(date '2026-03-01'), 1, 'The rollup writes one row per model with finished jobs');
select results_eq(
  $$select total_generations, successful_generations, failed_generations, cancelled_generations,
      avg_generation_time_ms, avg_quality_rating, total_processing_time_ms, model_type
    from public.model_performance_logs
    where api_model_id = 'aaaaaaaa-1000-4000-8000-000000000001' and date = date '2026-03-01'$$,
  $$values (4, 2, 1, 1, 15000, 7.00::numeric(4, 2), 30000::bigint, 'test/rollup-model')$$,
  'The rollup counts the day''s outcomes (UTC day bounds), average run time and quality'
);
select lives_ok($$select public.rollup_model_performance(date '2026-03-01')$$, 'The rollup can run again');
select is(
  (select count(*) from public.model_performance_logs where api_model_id = 'aaaaaaaa-1000-4000-8000-000000000001'),
  1::bigint, 'Running it again updates the row instead of adding one'
);

-- --- Retention -------------------------------------------------------------------------------
insert into public.webhook_events (provider, delivery_id, payload_hash, received_at)
values ('replicate', 'old', repeat('a', 64), now() - interval '31 days'),
       ('replicate', 'new', repeat('a', 64), now() - interval '1 day');
insert into public.jobs (user_id, modality, prompt, idempotency_key, request_hash, created_at)
values (tests.get_supabase_uid('alice'), 'image', 'old', 'old-key', 'h', now() - interval '25 hours'),
       (tests.get_supabase_uid('alice'), 'image', 'new', 'new-key', 'h', now() - interval '1 hour');
select is(
  public.purge_expired_records() - 'api_usage_logs_deleted',
  '{"webhook_events_deleted": 1, "idempotency_keys_cleared": 1, "batches": 1, "done": true}'::jsonb,
  'Retention reports what it removed (api_usage_logs: tests/db/15_metrics.sql)'
);
select results_eq(
  $$select delivery_id from public.webhook_events$$, array['new'],
  'Webhook events older than the retention period are deleted'
);
select results_eq(
  $$select idempotency_key from public.jobs where idempotency_key is not null$$, array['new-key'],
  'Idempotency keys older than their TTL are cleared'
);

-- --- Privileges ------------------------------------------------------------------------------
select tests.authenticate_as('alice');
select throws_ok(
  $$select public.rollup_model_performance()$$,
  '42501', 'permission denied for function rollup_model_performance', 'A user cannot run the rollup'
);
select throws_ok(
  $$select public.purge_expired_records()$$,
  '42501', 'permission denied for function purge_expired_records', 'A user cannot run retention'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$select public.purge_expired_records()$$,
  '42501', 'permission denied for function purge_expired_records', 'anon cannot run retention'
);
select tests.authenticate_as_service_role();
select lives_ok($$select public.rollup_model_performance(date '2026-03-02')$$, 'The service role runs the rollup (admin endpoint)');
select lives_ok($$select public.purge_expired_records()$$, 'The service role runs retention (admin endpoint)');

-- --- Schedules -------------------------------------------------------------------------------
select tests.clear_authentication();
select set_eq(
  $$select jobname::text from cron.job$$,
  array['rollup-model-performance-today', 'rollup-model-performance-yesterday', 'purge-expired-records'],
  'The maintenance jobs are scheduled with pg_cron (schedules: tests/db/15_metrics.sql)'
);
select ok(
  (select bool_and(command like '%public.%') from cron.job),
  'The scheduled commands call the schema-qualified functions'
);

select * from finish();
rollback;
