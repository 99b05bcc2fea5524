-- System metrics: the per-model daily rollup (hand-computed figures, UTC day bounds,
-- idempotency, stale rows), retention of api_usage_logs in bounded batches, who may run the
-- metrics functions, and the pg_cron jobs (they exist, on the right schedules, and their
-- commands run).
begin;
select plan(27);

select tests.create_supabase_user('metrics_alice');
insert into public.api_providers (id, name, display_name, adapter, base_url)
values ('bbbbbbbb-0000-4000-8000-000000000001', 'test-metrics', 'Metrics', 'replicate', 'https://example.test/v1');
insert into public.api_models (id, provider_id, model_key, display_name, modality, task)
values
  ('bbbbbbbb-1000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000001', 'test/metrics-a', 'A', 'image', 'generation'),
  ('bbbbbbbb-1000-4000-8000-000000000002', 'bbbbbbbb-0000-4000-8000-000000000001', 'test/metrics-b', 'B', 'image', 'generation');

-- Model A on 2026-03-10 (UTC): three successes of 10 s, 30 s and 20 s (one rated 8), a failure
-- that ran 5 s, a cancellation at 23:59:59.9; a success finishing at 00:00:00 the next day.
insert into public.jobs (user_id, api_model_id, modality, prompt, status, started_at, completed_at, quality_rating)
values
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'a', 'completed',
   timestamptz '2026-03-10 10:00:00+00', timestamptz '2026-03-10 10:00:10+00', 8),
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'b', 'completed',
   timestamptz '2026-03-10 11:00:00+00', timestamptz '2026-03-10 11:00:30+00', null),
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'c', 'completed',
   timestamptz '2026-03-10 12:00:00+00', timestamptz '2026-03-10 12:00:20+00', null),
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'd', 'failed',
   timestamptz '2026-03-10 13:00:00+00', timestamptz '2026-03-10 13:00:05+00', null),
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'e', 'cancelled',
   null, timestamptz '2026-03-10 23:59:59.9+00', null),
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'f', 'completed',
   timestamptz '2026-03-10 23:59:59+00', timestamptz '2026-03-11 00:00:00+00', null),
  -- Model B: one success on 2026-03-11 (removed again below).
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000002', 'image', 'g', 'completed',
   timestamptz '2026-03-11 08:00:00+00', timestamptz '2026-03-11 08:00:04+00', null);
-- Started, not finished: never in a rollup.
insert into public.jobs (user_id, api_model_id, modality, prompt, status, started_at)
values (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'h', 'processing',
  timestamptz '2026-03-10 09:00:00+00');

-- --- Rollup figures and UTC day bounds ------------------------------------------------------
select is(public.rollup_model_performance(date '2026-03-10'), 1, 'One model finished jobs on 2026-03-10');
-- avg/p50 of (10, 30, 20) s = 20 s; p95 = 20 + 0.9 x 10 = 29 s (linear interpolation);
-- total run time = 10 + 30 + 20 + 5 = 65 s (the failure ran too; the cancellation never started).
select results_eq(
  $$select total_generations, successful_generations, failed_generations, cancelled_generations,
      avg_generation_time_ms, p50_generation_time_ms, p95_generation_time_ms, avg_quality_rating,
      total_processing_time_ms, model_type
    from public.model_performance_logs
    where api_model_id = 'bbbbbbbb-1000-4000-8000-000000000001' and date = date '2026-03-10'$$,
  $$values (5, 3, 1, 1, 20000, 20000, 29000, 8.00::numeric(4, 2), 65000::bigint, 'test/metrics-a')$$,
  'Hand-computed figures for model A on 2026-03-10 (the 23:59:59.9 cancellation included)'
);
select is(public.rollup_model_performance(date '2026-03-11'), 2, 'Both models finished jobs on 2026-03-11');
select results_eq(
  $$select total_generations, successful_generations, avg_generation_time_ms, p95_generation_time_ms,
      total_processing_time_ms
    from public.model_performance_logs
    where api_model_id = 'bbbbbbbb-1000-4000-8000-000000000001' and date = date '2026-03-11'$$,
  $$values (1, 1, 1000, 1000, 1000::bigint)$$,
  'The job finishing at 00:00:00 belongs to the next day'
);
select is(public.rollup_model_performance(date '2026-03-09'), 0, 'No finished jobs the day before: no rows');
select is(
  (select count(*) from public.model_performance_logs where api_model_id in
    ('bbbbbbbb-1000-4000-8000-000000000001', 'bbbbbbbb-1000-4000-8000-000000000002')),
  3::bigint, 'Rows only for (model, day) pairs with finished jobs'
);

-- --- Idempotency -----------------------------------------------------------------------------
create temporary table before_rerun as
  select ctid::text as row_ctid, l.* from public.model_performance_logs l
  where api_model_id in ('bbbbbbbb-1000-4000-8000-000000000001', 'bbbbbbbb-1000-4000-8000-000000000002');
select is(public.rollup_model_performance(date '2026-03-10'), 1, 'Running 2026-03-10 again reports the same model');
select is(public.rollup_model_performance(date '2026-03-11'), 2, 'Running 2026-03-11 again reports the same models');
select set_eq(
  $$select ctid::text as row_ctid, l.* from public.model_performance_logs l
    where api_model_id in ('bbbbbbbb-1000-4000-8000-000000000001', 'bbbbbbbb-1000-4000-8000-000000000002')$$,
  $$select * from before_rerun$$,
  'A rerun over unchanged jobs gives the same rows and does not even rewrite them (same ctid)'
);

-- A job that finishes late on a day already rolled up is counted by the next run.
insert into public.jobs (user_id, api_model_id, modality, prompt, status, started_at, completed_at)
values (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000001', 'image', 'late', 'failed',
  timestamptz '2026-03-11 09:00:00+00', timestamptz '2026-03-11 09:00:02+00');
select lives_ok($$select public.rollup_model_performance(date '2026-03-11')$$, 'The rollup reruns after a late job');
select results_eq(
  $$select total_generations, successful_generations, failed_generations, total_processing_time_ms
    from public.model_performance_logs
    where api_model_id = 'bbbbbbbb-1000-4000-8000-000000000001' and date = date '2026-03-11'$$,
  $$values (2, 1, 1, 3000::bigint)$$,
  'The rerun updates the row with the late job'
);

-- Model B's only job goes (its user deleted, say): its row for the day goes with the next run.
delete from public.jobs where prompt = 'g';
select is(public.rollup_model_performance(date '2026-03-11'), 1, 'Only model A has finished jobs on 2026-03-11 now');
select is(
  (select count(*) from public.model_performance_logs where api_model_id = 'bbbbbbbb-1000-4000-8000-000000000002'),
  0::bigint, 'The stale row of model B is removed'
);

-- --- Retention of api_usage_logs in bounded batches -----------------------------------------
update public.system_config set config = config || '{"api_usage_log_retention_days": 10}' where id = 1;
insert into public.api_usage_logs (provider_id, request_type, response_time_ms, created_at)
select 'bbbbbbbb-0000-4000-8000-000000000001', 'image', 100, now() - interval '11 days' - make_interval(mins => g)
from generate_series(1, 7) g;
insert into public.api_usage_logs (provider_id, request_type, response_time_ms, created_at)
values ('bbbbbbbb-0000-4000-8000-000000000001', 'image', 100, now() - interval '9 days');
select is(
  public.purge_expired_records(3, 0) -> 'api_usage_logs_deleted', '3'::jsonb,
  'With no time budget, one batch of 3 rows is deleted'
);
select is(
  public.purge_expired_records(3, 0) ->> 'done', 'false',
  'A full batch reports that more may be left'
);
select is(
  public.purge_expired_records(3, 10000) - 'webhook_events_deleted' - 'idempotency_keys_cleared',
  '{"api_usage_logs_deleted": 1, "batches": 1, "done": true}'::jsonb,
  'Within a budget it loops until nothing expired is left'
);
select is(
  (select count(*) from public.api_usage_logs where provider_id = 'bbbbbbbb-0000-4000-8000-000000000001'),
  1::bigint, 'Rows younger than api_usage_log_retention_days stay'
);
select ok(
  (select config ? 'api_usage_log_retention_days' from public.system_config where id = 1),
  'The retention setting is seeded'
);

-- --- Who may run the metrics functions -------------------------------------------------------
select tests.authenticate_as('metrics_alice');
select throws_ok($$select public.system_metrics_overview()$$, '42501', null, 'A user cannot read the overview');
select throws_ok($$select public.system_metrics_daily(14)$$, '42501', null, 'A user cannot read the day series');
select tests.authenticate_as_service_role();
select ok(
  (select public.system_metrics_overview() ?& array['generated_at', 'jobs', 'providers', 'credits', 'storage', 'users', 'queues']),
  'The service role reads the overview'
);
select is(
  jsonb_array_length(public.system_metrics_daily(14) -> 'jobs'), 14,
  'The day series has one entry per day'
);

-- --- pg_cron ---------------------------------------------------------------------------------
select tests.clear_authentication();
select is(
  (select string_agg(jobname || ' ' || schedule, ', ' order by jobname) from cron.job),
  'purge-expired-records */10 * * * *, rollup-model-performance-today */15 * * * *, '
    || 'rollup-model-performance-yesterday 10 0 * * *',
  'Today is rolled up every 15 minutes, yesterday at 00:10 UTC, retention every 10 minutes'
);
-- The commands themselves, run as they are stored: a job finished an hour ago today (UTC) and
-- one finished yesterday get their rows.
insert into public.jobs (user_id, api_model_id, modality, prompt, status, started_at, completed_at)
values
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000002', 'image', 'today', 'completed',
   date_trunc('day', now() at time zone 'utc') at time zone 'utc', (date_trunc('day', now() at time zone 'utc') at time zone 'utc') + interval '1 second'),
  (tests.get_supabase_uid('metrics_alice'), 'bbbbbbbb-1000-4000-8000-000000000002', 'image', 'yesterday', 'completed',
   (date_trunc('day', now() at time zone 'utc') at time zone 'utc') - interval '12 hours',
   (date_trunc('day', now() at time zone 'utc') at time zone 'utc') - interval '12 hours' + interval '2 seconds');
select lives_ok(
  (select command from cron.job where jobname = 'rollup-model-performance-today'),
  'The scheduled rollup of today runs'
);
select lives_ok(
  (select command from cron.job where jobname = 'rollup-model-performance-yesterday'),
  'The scheduled rollup of yesterday runs'
);
select results_eq(
  $$select date, avg_generation_time_ms from public.model_performance_logs
    where api_model_id = 'bbbbbbbb-1000-4000-8000-000000000002' order by date$$,
  $$values ((now() at time zone 'utc')::date - 1, 2000), ((now() at time zone 'utc')::date, 1000)$$,
  'The scheduled commands wrote today''s and yesterday''s rows'
);
select lives_ok(
  (select command from cron.job where jobname = 'purge-expired-records'),
  'The scheduled retention runs'
);

select * from finish();
rollback;
