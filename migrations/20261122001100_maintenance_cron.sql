-- Pure-SQL maintenance on pg_cron (DESIGN.md section 10): the daily per-model performance
-- rollup from jobs, and retention (old webhook deliveries, expired idempotency keys). Both are
-- idempotent and also callable by the service role (an admin endpoint). Work that needs HTTP,
-- such as removing expired workspace objects from Storage, is not done here.

create extension if not exists pg_cron with schema pg_catalog;

-- Rollups read terminal jobs by the time they finished.
create index jobs_completed_at_idx on public.jobs (completed_at) where completed_at is not null;

-- ---------------------------------------------------------------------------------------------
-- Functions (invoker: they run as the cron job's owner or as service_role, never as users)
-- ---------------------------------------------------------------------------------------------
create function public.rollup_model_performance(p_day date default (now() at time zone 'utc')::date)
returns integer
language sql
set search_path = ''
as $$
  with day_jobs as (
    select
      j.api_model_id,
      j.status,
      j.quality_rating,
      case when j.started_at is not null and j.completed_at >= j.started_at
        then (extract(epoch from (j.completed_at - j.started_at)) * 1000)::bigint end as run_ms
    from public.jobs j
    where j.api_model_id is not null
      and j.status in ('completed', 'failed', 'cancelled')
      and j.completed_at >= (p_day::timestamp at time zone 'utc')
      and j.completed_at < ((p_day + 1)::timestamp at time zone 'utc')
  ),
  upserted as (
    insert into public.model_performance_logs as l (
      api_model_id, model_type, date, total_generations, successful_generations,
      failed_generations, cancelled_generations, avg_generation_time_ms, avg_quality_rating,
      total_processing_time_ms
    )
    select
      d.api_model_id,
      m.model_key,
      p_day,
      count(*)::integer,
      (count(*) filter (where d.status = 'completed'))::integer,
      (count(*) filter (where d.status = 'failed'))::integer,
      (count(*) filter (where d.status = 'cancelled'))::integer,
      (avg(d.run_ms) filter (where d.status = 'completed'))::integer,
      round(avg(d.quality_rating) filter (where d.quality_rating between 0 and 10), 2),
      coalesce(sum(d.run_ms), 0)
    from day_jobs d
    join public.api_models m on m.id = d.api_model_id
    group by d.api_model_id, m.model_key
    on conflict (api_model_id, date) do update set
      model_type = excluded.model_type,
      total_generations = excluded.total_generations,
      successful_generations = excluded.successful_generations,
      failed_generations = excluded.failed_generations,
      cancelled_generations = excluded.cancelled_generations,
      avg_generation_time_ms = excluded.avg_generation_time_ms,
      avg_quality_rating = excluded.avg_quality_rating,
      total_processing_time_ms = excluded.total_processing_time_ms
    returning 1
  )
  select count(*)::integer from upserted
$$;
comment on function public.rollup_model_performance(date) is 'Recomputes model_performance_logs for one UTC day (default today) from the jobs that finished that day; idempotent. Returns the number of model rows written.';
revoke execute on function public.rollup_model_performance(date) from public, anon, authenticated;
grant execute on function public.rollup_model_performance(date) to service_role;

create function public.purge_expired_records() returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  _config jsonb := coalesce((select c.config from public.system_config c where c.id = 1), '{}'::jsonb);
  _webhook_days integer := coalesce((_config ->> 'webhook_event_retention_days')::integer, 30);
  _idempotency_hours integer := coalesce((_config ->> 'idempotency_ttl_hours')::integer, 24);
  _webhooks integer;
  _keys integer;
begin
  delete from public.webhook_events w
  where w.received_at < now() - make_interval(days => _webhook_days);
  get diagnostics _webhooks = row_count;

  -- Idempotency keys are honoured for idempotency_ttl_hours; afterwards the key is reusable.
  update public.jobs j set idempotency_key = null, request_hash = null
  where j.idempotency_key is not null
    and j.created_at < now() - make_interval(hours => _idempotency_hours);
  get diagnostics _keys = row_count;

  return jsonb_build_object('webhook_events_deleted', _webhooks, 'idempotency_keys_cleared', _keys);
end
$$;
comment on function public.purge_expired_records() is 'Retention: deletes webhook_events older than webhook_event_retention_days and clears idempotency keys older than idempotency_ttl_hours (system_config). Returns the counts.';
revoke execute on function public.purge_expired_records() from public, anon, authenticated;
grant execute on function public.purge_expired_records() to service_role;

-- Finds expired keys without scanning every job.
create index jobs_idempotency_created_at_idx on public.jobs (created_at) where idempotency_key is not null;

-- ---------------------------------------------------------------------------------------------
-- Schedules (named, so re-scheduling replaces them): yesterday is recomputed too, for jobs that
-- finished after the previous run.
-- ---------------------------------------------------------------------------------------------
select cron.schedule(
  'rollup-model-performance',
  '7 * * * *',
  $$select public.rollup_model_performance((now() at time zone 'utc')::date - 1); select public.rollup_model_performance();$$
);
select cron.schedule('purge-expired-records', '17 * * * *', $$select public.purge_expired_records();$$);
