-- System metrics (docs/metrics.md): what the database knows about jobs, providers, credits,
-- storage and users, read by the system-metrics function through SQL functions (one round trip
-- per figure set), the daily per-model rollup with generation-time percentiles, retention of
-- provider call logs in bounded batches, and the pg_cron schedules they need.
--
-- What changes from 20261122001100_maintenance_cron.sql, and why:
--   * rollup_model_performance ran hourly at :07; the issue asks for today every 15 minutes and
--     yesterday once after midnight (UTC), so an admin sees today's figures at most 15 minutes
--     late and yesterday's jobs that finished after the last run of the day are still counted;
--   * it left a model's row in place when that model no longer had finished jobs that day (jobs
--     go with their user): the day is now recomputed whole, stale rows removed;
--   * every run rewrote every row (and its updated_at) even when nothing changed: unchanged rows
--     are now left alone;
--   * it read the jobs through an index on completed_at alone, fetching every job's heap row; the
--     covering index below answers it (and the overview's 24-hour figures) from the index;
--   * purge_expired_records deleted everything expired in one statement (unbounded on a backlog)
--     and never pruned api_usage_logs: it now works in batches under a time budget and prunes
--     api_usage_logs after api_usage_log_retention_days.

-- ---------------------------------------------------------------------------------------------
-- Settings: api_usage_log_retention_days (a database that lacks the key gets the default)
-- ---------------------------------------------------------------------------------------------
insert into public.system_config (id, config) values (1, jsonb_build_object(
  'api_usage_log_retention_days', 90
))
on conflict (id) do update set config = excluded.config || public.system_config.config;

-- ---------------------------------------------------------------------------------------------
-- Indexes (query plans: docs/metrics.md)
-- ---------------------------------------------------------------------------------------------
-- Finished jobs by finish time, with what the rollup and the 24-hour figures read: index-only
-- scans. Replaces jobs_completed_at_idx (same key and predicate, fewer columns).
create index jobs_finished_metrics_idx on public.jobs (completed_at)
  include (status, api_model_id, started_at, quality_rating) where completed_at is not null;
drop index public.jobs_completed_at_idx;
-- Queued and processing jobs per model and their age: the queue figures without a heap visit.
create index jobs_active_model_idx on public.jobs (api_model_id, status)
  include (created_at) where status in ('queued', 'processing');
-- The credit ledger by time: charged, refunded and active users over a window.
create index usage_logs_created_at_idx on public.usage_logs (created_at)
  include (kind, credits_consumed, user_id);
-- New users over a window.
create index profiles_created_at_idx on public.profiles (created_at);

-- ---------------------------------------------------------------------------------------------
-- model_performance_logs: generation-time percentiles per model and day
-- ---------------------------------------------------------------------------------------------
alter table public.model_performance_logs
  add column p50_generation_time_ms integer check (p50_generation_time_ms >= 0),
  add column p95_generation_time_ms integer check (p95_generation_time_ms >= 0);
comment on column public.model_performance_logs.p50_generation_time_ms is 'Median provider run time (started_at to completed_at) of the day''s successful jobs, in ms.';
comment on column public.model_performance_logs.p95_generation_time_ms is '95th percentile (linear interpolation) of the same run times, in ms.';

-- ---------------------------------------------------------------------------------------------
-- rollup_model_performance: the whole day recomputed, percentiles, unchanged rows left alone
-- ---------------------------------------------------------------------------------------------
create or replace function public.rollup_model_performance(p_day date default (now() at time zone 'utc')::date)
returns integer
language sql
set search_path = ''
as $$
  with day_jobs as (
    -- A job belongs to the UTC day it finished in: [00:00, 24:00) UTC.
    select
      j.api_model_id,
      j.status,
      j.quality_rating,
      case when j.started_at is not null and j.completed_at >= j.started_at
        then extract(epoch from (j.completed_at - j.started_at)) * 1000 end as run_ms
    from public.jobs j
    where j.completed_at is not null
      and j.api_model_id is not null
      and j.status in ('completed', 'failed', 'cancelled')
      and j.completed_at >= (p_day::timestamp at time zone 'utc')
      and j.completed_at < ((p_day + 1)::timestamp at time zone 'utc')
  ),
  per_model as (
    select
      d.api_model_id,
      count(*)::integer as total,
      (count(*) filter (where d.status = 'completed'))::integer as successful,
      (count(*) filter (where d.status = 'failed'))::integer as failed,
      (count(*) filter (where d.status = 'cancelled'))::integer as cancelled,
      round(avg(d.run_ms) filter (where d.status = 'completed'))::integer as avg_ms,
      round(percentile_cont(0.5) within group (order by d.run_ms)
        filter (where d.status = 'completed'))::integer as p50_ms,
      round(percentile_cont(0.95) within group (order by d.run_ms)
        filter (where d.status = 'completed'))::integer as p95_ms,
      round(avg(d.quality_rating) filter (where d.quality_rating between 0 and 10), 2) as quality,
      coalesce(round(sum(d.run_ms)), 0)::bigint as total_ms
    from day_jobs d
    group by d.api_model_id
  ),
  -- A model with no finished job that day any more (its jobs went with their user) has no row.
  removed as (
    delete from public.model_performance_logs l
    where l.date = p_day
      and not exists (select 1 from per_model p where p.api_model_id = l.api_model_id)
    returning 1
  ),
  upserted as (
    insert into public.model_performance_logs as l (
      api_model_id, model_type, date, total_generations, successful_generations,
      failed_generations, cancelled_generations, avg_generation_time_ms, p50_generation_time_ms,
      p95_generation_time_ms, avg_quality_rating, total_processing_time_ms
    )
    select p.api_model_id, m.model_key, p_day, p.total, p.successful, p.failed, p.cancelled,
      p.avg_ms, p.p50_ms, p.p95_ms, p.quality, p.total_ms
    from per_model p
    join public.api_models m on m.id = p.api_model_id
    on conflict (api_model_id, date) do update set
      model_type = excluded.model_type,
      total_generations = excluded.total_generations,
      successful_generations = excluded.successful_generations,
      failed_generations = excluded.failed_generations,
      cancelled_generations = excluded.cancelled_generations,
      avg_generation_time_ms = excluded.avg_generation_time_ms,
      p50_generation_time_ms = excluded.p50_generation_time_ms,
      p95_generation_time_ms = excluded.p95_generation_time_ms,
      avg_quality_rating = excluded.avg_quality_rating,
      total_processing_time_ms = excluded.total_processing_time_ms
    -- A rerun over unchanged jobs writes nothing (no new row versions, updated_at kept).
    where (l.model_type, l.total_generations, l.successful_generations, l.failed_generations,
        l.cancelled_generations, l.avg_generation_time_ms, l.p50_generation_time_ms,
        l.p95_generation_time_ms, l.avg_quality_rating, l.total_processing_time_ms)
      is distinct from (excluded.model_type, excluded.total_generations,
        excluded.successful_generations, excluded.failed_generations,
        excluded.cancelled_generations, excluded.avg_generation_time_ms,
        excluded.p50_generation_time_ms, excluded.p95_generation_time_ms,
        excluded.avg_quality_rating, excluded.total_processing_time_ms)
    returning 1
  )
  select count(*)::integer from per_model p join public.api_models m on m.id = p.api_model_id
$$;
comment on function public.rollup_model_performance(date) is 'Recomputes model_performance_logs for one UTC day (default today) from the jobs that finished that day: counts by outcome, average/p50/p95 run time of successful jobs, average quality where rated, total run time; removes rows of models with no finished job that day. Idempotent; unchanged rows are not rewritten. Returns the number of models with a row for the day.';
revoke execute on function public.rollup_model_performance(date) from public, anon, authenticated;
grant execute on function public.rollup_model_performance(date) to service_role;

-- ---------------------------------------------------------------------------------------------
-- system_metrics_overview: every figure of GET /system-metrics in one statement
-- ---------------------------------------------------------------------------------------------
create function public.system_metrics_overview()
returns jsonb
language sql
stable
set search_path = ''
as $$
  with
  active as (
    select j.api_model_id, j.status, count(*)::integer as n, min(j.created_at) as oldest
    from public.jobs j
    where j.status in ('queued', 'processing')
    group by j.api_model_id, j.status
  ),
  finished as (
    -- The last 24 hours, (now - 24 h, now].
    select j.api_model_id, j.status, j.completed_at,
      case when j.started_at is not null and j.completed_at >= j.started_at
        then extract(epoch from (j.completed_at - j.started_at)) * 1000 end as run_ms
    from public.jobs j
    where j.completed_at is not null
      and j.completed_at > now() - interval '24 hours'
      and j.completed_at <= now()
  ),
  -- One pass over the window for every total (the CTE is read once per reference).
  totals as (
    select
      count(*) filter (where f.status = 'completed') as completed,
      count(*) filter (where f.status = 'failed') as failed,
      count(*) filter (where f.status = 'cancelled') as cancelled,
      count(*) filter (where f.status = 'completed' and f.completed_at > now() - interval '1 hour')
        as completed_1h
    from finished f
  ),
  active_totals as (
    select
      coalesce(sum(a.n) filter (where a.status = 'queued'), 0) as queued,
      coalesce(sum(a.n) filter (where a.status = 'processing'), 0) as processing,
      min(a.oldest) filter (where a.status = 'queued') as oldest_queued
    from active a
  ),
  finished_by_model as (
    select f.api_model_id,
      round(percentile_cont(0.5) within group (order by f.run_ms)
        filter (where f.status = 'completed'))::integer as p50,
      round(percentile_cont(0.95) within group (order by f.run_ms)
        filter (where f.status = 'completed'))::integer as p95,
      avg(f.run_ms) filter (where f.status = 'completed') as avg_ms,
      (count(f.run_ms) filter (where f.status = 'completed'))::integer as samples
    from finished f
    where f.api_model_id is not null
    group by f.api_model_id
  ),
  queue as (
    select m.id as model_id, m.model_key, m.provider_id,
      coalesce(sum(a.n) filter (where a.status = 'queued'), 0)::integer as queued,
      coalesce(sum(a.n) filter (where a.status = 'processing'), 0)::integer as processing,
      fm.avg_ms
    from active a
    join public.api_models m on m.id = a.api_model_id
    left join finished_by_model fm on fm.api_model_id = a.api_model_id
    group by m.id, m.model_key, m.provider_id, fm.avg_ms
  ),
  provider_limits as (
    select p.id, p.name,
      case when jsonb_typeof(p.rate_limits -> 'requests_per_minute') = 'number'
        then floor((p.rate_limits ->> 'requests_per_minute')::numeric)::integer end as per_minute
    from public.api_providers p
  ),
  provider_queued as (
    select q.provider_id, sum(q.queued)::integer as queued from queue q group by q.provider_id
  ),
  calls as (
    select c.provider_id, count(*)::integer as requests,
      (count(*) filter (where c.response_status is null or c.response_status >= 400
        or c.error_message is not null))::integer as errors,
      round(percentile_cont(0.95) within group (order by c.response_time_ms))::integer as p95
    from public.api_usage_logs c
    where c.created_at > now() - interval '1 hour' and c.created_at <= now()
      and c.provider_id is not null
    group by c.provider_id
  ),
  cooldowns as (
    select m.provider_id, max(h.cooldown_until) as until
    from public.api_model_health h
    join public.api_models m on m.id = h.model_id
    where h.cooldown_until > now()
    group by m.provider_id
  ),
  ledger as (
    select
      coalesce(sum(u.credits_consumed) filter (where u.kind = 'charge'), 0) as charged,
      coalesce(-sum(u.credits_consumed) filter (where u.kind = 'refund'), 0) as refunded,
      count(distinct u.user_id) filter (where u.kind = 'charge') as active_users
    from public.usage_logs u
    where u.created_at > now() - interval '24 hours' and u.created_at <= now()
  )
  select jsonb_build_object(
    'generated_at', now(),
    'jobs', jsonb_build_object(
      'by_status', (select jsonb_build_object('queued', a.queued, 'processing', a.processing,
          'completed', t.completed, 'failed', t.failed, 'cancelled', t.cancelled)
        from totals t, active_totals a),
      'queued_by_model', coalesce((
        select jsonb_agg(jsonb_build_object('model_id', q.model_id, 'model_key', q.model_key,
          'queued', q.queued) order by q.queued desc, q.model_key, q.model_id)
        from queue q where q.queued > 0), '[]'::jsonb),
      'oldest_queued_age_s', (
        select round(extract(epoch from (now() - a.oldest_queued))::numeric, 1)
        from active_totals a),
      'completed_1h', (select t.completed_1h from totals t),
      'completed_24h', (select t.completed from totals t),
      'success_rate_24h', (
        select round(t.completed::numeric / nullif(t.completed + t.failed, 0), 4) from totals t),
      'generation_ms', coalesce((
        select jsonb_agg(jsonb_build_object('model_id', fm.api_model_id, 'model_key', m.model_key,
          'p50', fm.p50, 'p95', fm.p95, 'samples', fm.samples) order by m.model_key, m.id)
        from finished_by_model fm join public.api_models m on m.id = fm.api_model_id
        where fm.samples > 0), '[]'::jsonb)
    ),
    'providers', coalesce((
      select jsonb_agg(jsonb_build_object(
        'id', pl.id,
        'name', pl.name,
        'requests_1h', coalesce(c.requests, 0),
        'error_rate_1h', round(c.errors::numeric / nullif(c.requests, 0), 4),
        'p95_latency_ms', c.p95,
        'cooldown_until', cd.until,
        'rate_limit_per_minute', pl.per_minute,
        'rate_limit_remaining', case when pl.per_minute is not null
          then greatest(0, pl.per_minute - coalesce(w.request_count, 0)) end
      ) order by pl.name)
      from provider_limits pl
      left join calls c on c.provider_id = pl.id
      left join cooldowns cd on cd.provider_id = pl.id
      left join public.provider_rate_windows w
        on w.provider_id = pl.id and w.window_start = date_trunc('minute', now())
    ), '[]'::jsonb),
    'credits', (select jsonb_build_object('charged_24h', l.charged, 'refunded_24h', l.refunded)
      from ledger l),
    'storage', jsonb_build_object(
      'workspace_bytes', (select coalesce(sum(w.file_size_bytes), 0) from public.workspace_assets w),
      'library_bytes', (select coalesce(sum(u.file_size_bytes), 0) from public.user_library u)
    ),
    'users', jsonb_build_object(
      'active_24h', (select l.active_users from ledger l),
      'new_24h', (select count(*) from public.profiles p
        where p.created_at > now() - interval '24 hours' and p.created_at <= now())
    ),
    'queues', jsonb_build_object('eta', coalesce((
      select jsonb_agg(e.row order by e.queued desc, e.model_key, e.model_id) from (
        select q.model_id, q.model_key, q.queued, jsonb_build_object(
          'model_id', q.model_id,
          'model_key', q.model_key,
          'queued', q.queued,
          'processing', q.processing,
          'avg_generation_ms', round(q.avg_ms)::integer,
          'concurrency', greatest(1, q.processing),
          'rate_limit_per_minute', pl.per_minute,
          -- docs/metrics.md: the queue drains at the observed parallelism, never faster than
          -- the provider's rate limit lets the provider's whole queue through.
          'eta_s', case when q.avg_ms is not null then ceil(greatest(
            q.queued * q.avg_ms / 1000.0 / greatest(1, q.processing),
            coalesce(pq.queued * 60.0 / nullif(pl.per_minute, 0), 0)))::integer end
        ) as row
        from queue q
        left join provider_limits pl on pl.id = q.provider_id
        left join provider_queued pq on pq.provider_id = q.provider_id
        where q.queued > 0
      ) e), '[]'::jsonb))
  )
$$;
comment on function public.system_metrics_overview() is 'The admin metrics overview as one JSON object (docs/metrics.md defines every field): jobs by status, queue per model and its ETA, finished-job figures over 24 h, providers over 1 h (requests, error rate, p95 latency, cooldown, rate-limit budget left this minute), credits, storage and users. Reads across users: service_role only.';
revoke execute on function public.system_metrics_overview() from public, anon, authenticated;
grant execute on function public.system_metrics_overview() to service_role;

-- ---------------------------------------------------------------------------------------------
-- system_metrics_daily: the dashboard's day series (UTC days, oldest first)
-- ---------------------------------------------------------------------------------------------
create function public.system_metrics_daily(p_days integer default 14)
returns jsonb
language sql
stable
set search_path = ''
as $$
  with
  bounds as (
    select (now() at time zone 'utc')::date - (least(greatest(p_days, 1), 366) - 1) as first_day,
      (now() at time zone 'utc')::date as last_day
  ),
  days as (
    select d::date as day from bounds b, generate_series(b.first_day, b.last_day, interval '1 day') d
  ),
  perf as (
    select l.date, l.api_model_id, l.total_generations, l.successful_generations,
      l.failed_generations, l.cancelled_generations, l.p95_generation_time_ms
    from public.model_performance_logs l, bounds b
    where l.date between b.first_day and b.last_day
  ),
  ledger as (
    select (u.created_at at time zone 'utc')::date as day,
      coalesce(sum(u.credits_consumed) filter (where u.kind = 'charge'), 0) as charged,
      coalesce(-sum(u.credits_consumed) filter (where u.kind = 'refund'), 0) as refunded
    from public.usage_logs u, bounds b
    where u.created_at >= (b.first_day::timestamp at time zone 'utc')
    group by 1
  ),
  calls as (
    select c.provider_id, (c.created_at at time zone 'utc')::date as day, count(*)::integer as requests,
      (count(*) filter (where c.response_status is null or c.response_status >= 400
        or c.error_message is not null))::integer as errors
    from public.api_usage_logs c, bounds b
    where c.created_at >= (b.first_day::timestamp at time zone 'utc') and c.provider_id is not null
    group by 1, 2
  )
  select jsonb_build_object(
    'from', (select first_day from bounds),
    'to', (select last_day from bounds),
    'jobs', (select jsonb_agg(jsonb_build_object(
        'date', d.day,
        'completed', coalesce((select sum(p.successful_generations) from perf p where p.date = d.day), 0),
        'failed', coalesce((select sum(p.failed_generations) from perf p where p.date = d.day), 0),
        'cancelled', coalesce((select sum(p.cancelled_generations) from perf p where p.date = d.day), 0)
      ) order by d.day) from days d),
    'models', coalesce((select jsonb_agg(jsonb_build_object(
        'model_id', m.id, 'model_key', m.model_key, 'total', t.total,
        'days', (select jsonb_agg(jsonb_build_object(
            'date', p.date,
            'total', p.total_generations,
            'success_rate', round(p.successful_generations::numeric
              / nullif(p.successful_generations + p.failed_generations, 0), 4),
            'p95_ms', p.p95_generation_time_ms
          ) order by p.date) from perf p where p.api_model_id = m.id)
      ) order by t.total desc, m.model_key)
      from (select p.api_model_id, sum(p.total_generations)::integer as total from perf p group by 1) t
      join public.api_models m on m.id = t.api_model_id), '[]'::jsonb),
    'credits', (select jsonb_agg(jsonb_build_object(
        'date', d.day, 'charged', coalesce(l.charged, 0), 'refunded', coalesce(l.refunded, 0)
      ) order by d.day) from days d left join ledger l on l.day = d.day),
    'providers', coalesce((select jsonb_agg(jsonb_build_object(
        'id', p.id, 'name', p.name,
        'days', (select jsonb_agg(jsonb_build_object(
            'date', c.day, 'requests', c.requests,
            'error_rate', round(c.errors::numeric / c.requests, 4)
          ) order by c.day) from calls c where c.provider_id = p.id)
      ) order by p.name)
      from public.api_providers p where exists (select 1 from calls c where c.provider_id = p.id)),
      '[]'::jsonb)
  )
$$;
comment on function public.system_metrics_daily(integer) is 'The dashboard''s series over the last p_days UTC days (1-366, today included): finished jobs per day by outcome and per model success rate and p95 run time (from model_performance_logs), credits charged and refunded per day (usage_logs), provider requests and error rate per day (api_usage_logs). Reads across users: service_role only.';
revoke execute on function public.system_metrics_daily(integer) from public, anon, authenticated;
grant execute on function public.system_metrics_daily(integer) to service_role;

-- ---------------------------------------------------------------------------------------------
-- purge_expired_records: bounded batches under a time budget, api_usage_logs too
-- ---------------------------------------------------------------------------------------------
-- The arguments change (both defaulted, so `select public.purge_expired_records()` still works);
-- the old function goes so the call is not ambiguous.
drop function public.purge_expired_records();
create function public.purge_expired_records(
  p_batch_size integer default 5000,
  p_time_budget_ms integer default 10000
) returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  _config jsonb := coalesce((select c.config from public.system_config c where c.id = 1), '{}'::jsonb);
  _webhook_cutoff timestamptz := now() - make_interval(
    days => public.setting_integer(_config, 'webhook_event_retention_days', 30, 1));
  _usage_cutoff timestamptz := now() - make_interval(
    days => public.setting_integer(_config, 'api_usage_log_retention_days', 90, 1));
  -- Idempotency keys are honoured for idempotency_ttl_hours (enqueue_job reads the same
  -- setting); afterwards the key is reusable.
  _key_cutoff timestamptz := now() - make_interval(
    hours => public.setting_integer(_config, 'idempotency_ttl_hours', 24));
  _batch integer := least(greatest(coalesce(p_batch_size, 5000), 1), 50000);
  _deadline timestamptz := clock_timestamp()
    + make_interval(secs => least(greatest(coalesce(p_time_budget_ms, 10000), 0), 300000) / 1000.0);
  _webhooks bigint := 0;
  _usage bigint := 0;
  _keys bigint := 0;
  _batches integer := 0;
  _done boolean := false;
  _n1 integer;
  _n2 integer;
  _n3 integer;
begin
  loop
    -- Each statement touches at most _batch rows (oldest first, through the time indexes);
    -- rows another run holds are skipped, not waited for.
    delete from public.webhook_events w where w.id in (
      select x.id from public.webhook_events x where x.received_at < _webhook_cutoff
      order by x.received_at limit _batch for update skip locked);
    get diagnostics _n1 = row_count;
    delete from public.api_usage_logs a where a.id in (
      select x.id from public.api_usage_logs x where x.created_at < _usage_cutoff
      order by x.created_at limit _batch for update skip locked);
    get diagnostics _n2 = row_count;
    update public.jobs j set idempotency_key = null, request_hash = null where j.id in (
      select x.id from public.jobs x
      where x.idempotency_key is not null and x.created_at < _key_cutoff
      limit _batch for update skip locked);
    get diagnostics _n3 = row_count;
    _webhooks := _webhooks + _n1;
    _usage := _usage + _n2;
    _keys := _keys + _n3;
    _batches := _batches + 1;
    if _n1 < _batch and _n2 < _batch and _n3 < _batch then
      _done := true;
      exit;
    end if;
    exit when clock_timestamp() >= _deadline;
  end loop;
  return jsonb_build_object('webhook_events_deleted', _webhooks, 'api_usage_logs_deleted', _usage,
    'idempotency_keys_cleared', _keys, 'batches', _batches, 'done', _done);
end
$$;
comment on function public.purge_expired_records(integer, integer) is 'Retention in batches of p_batch_size rows per table (1-50000) until nothing expired is left or p_time_budget_ms (0-300000) is spent (at least one batch): deletes webhook_events older than webhook_event_retention_days and api_usage_logs older than api_usage_log_retention_days, clears idempotency keys older than idempotency_ttl_hours (system_config). Returns the counts, the batches run and whether it finished.';
revoke execute on function public.purge_expired_records(integer, integer) from public, anon, authenticated;
grant execute on function public.purge_expired_records(integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Schedules (pg_cron 1.4: minute schedules, GMT). Rescheduled by name; unscheduling through
-- cron.job does nothing where a job was already removed by hand.
-- ---------------------------------------------------------------------------------------------
select cron.unschedule(j.jobid) from cron.job j
where j.jobname in ('rollup-model-performance', 'purge-expired-records');
select cron.schedule(
  'rollup-model-performance-today',
  '*/15 * * * *',
  $$select public.rollup_model_performance((now() at time zone 'utc')::date)$$
);
-- 00:10 UTC: yesterday's last jobs finished and committed after the 23:45 run.
select cron.schedule(
  'rollup-model-performance-yesterday',
  '10 0 * * *',
  $$select public.rollup_model_performance((now() at time zone 'utc')::date - 1)$$
);
select cron.schedule(
  'purge-expired-records',
  '*/10 * * * *',
  $$select public.purge_expired_records(5000, 20000)$$
);
