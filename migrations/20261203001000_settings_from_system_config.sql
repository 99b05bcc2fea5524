-- Settings seeded in system_config are now read from it, each with the value the code used
-- before as the fallback:
--   * provider_failure_cooldown_seconds: record_model_outcome's cooldown when the caller passes
--     none (it was a fixed 60 s in TypeScript);
--   * idempotency_ttl_hours: how long enqueue_job honours an Idempotency-Key (a fixed 24 h here,
--     while purge_expired_records already cleared keys after the setting, so the two could
--     disagree);
--   * workspace_ttl_hours: workspace_assets.expires_at's default (a fixed 7 days).
-- purge_expired_records reads its two settings the same way.
-- A malformed or out-of-range value falls back to the default rather than failing a sign-up,
-- an enqueue or an insert: setting_integer() below is the one place that reads a number.

-- ---------------------------------------------------------------------------------------------
-- setting_integer: one integer setting out of a system_config.config object
-- ---------------------------------------------------------------------------------------------
create function public.setting_integer(
  p_config jsonb,
  p_key text,
  p_default integer,
  p_min integer default 0,
  p_max integer default 2147483647
) returns integer
language sql
immutable
set search_path = ''
as $$
  -- Numbers only ("60" as a string is not one), floored, and only within [p_min, p_max].
  select coalesce(
    case when jsonb_typeof(p_config -> p_key) = 'number'
      and floor((p_config ->> p_key)::numeric) between p_min and p_max
      then floor((p_config ->> p_key)::numeric)::integer end,
    p_default)
$$;
comment on function public.setting_integer(jsonb, text, integer, integer, integer) is 'An integer setting of a system_config.config object: the number under p_key, floored, if within [p_min, p_max]; otherwise p_default. Callers read the config row once and pass it in.';
revoke execute on function public.setting_integer(jsonb, text, integer, integer, integer) from public, anon, authenticated;
grant execute on function public.setting_integer(jsonb, text, integer, integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------------
-- record_model_outcome: the cooldown comes from system_config unless the caller gives one
-- ---------------------------------------------------------------------------------------------
-- Same arguments; only p_cooldown_seconds' default changes (60 -> null = "the setting").
create or replace function public.record_model_outcome(
  p_model_id uuid,
  p_success boolean,
  p_error text default null,
  p_failure_threshold integer default 3,
  p_cooldown_seconds integer default null
) returns timestamptz
language sql
set search_path = ''
as $$
  with policy as (
    select coalesce(p_cooldown_seconds, public.setting_integer(
      (select c.config from public.system_config c where c.id = 1),
      'provider_failure_cooldown_seconds', 60, 1, 86400)) as cooldown_seconds
  )
  insert into public.api_model_health as h (model_id, consecutive_failures, cooldown_until, last_error, updated_at)
  select
    p_model_id,
    case when p_success then 0 else 1 end,
    case when not p_success and p_failure_threshold <= 1
      then clock_timestamp() + make_interval(secs => policy.cooldown_seconds) end,
    case when p_success then null else left(p_error, 1000) end,
    clock_timestamp()
  from policy
  on conflict (model_id) do update set
    consecutive_failures = case when p_success then 0 else h.consecutive_failures + 1 end,
    cooldown_until = case
      when p_success then null
      when h.consecutive_failures + 1 >= p_failure_threshold
        then clock_timestamp() + make_interval(secs => (select cooldown_seconds from policy))
      else h.cooldown_until end,
    last_error = case when p_success then h.last_error else left(p_error, 1000) end,
    updated_at = clock_timestamp()
  returning cooldown_until
$$;
comment on function public.record_model_outcome(uuid, boolean, text, integer, integer) is 'Records a provider call''s outcome for a model: success resets the failure count; the threshold-th consecutive failure starts a cooldown of p_cooldown_seconds, or system_config.provider_failure_cooldown_seconds (default 60) when null. Returns the cooldown end, if any.';

-- ---------------------------------------------------------------------------------------------
-- workspace_assets.expires_at: default from workspace_ttl_hours
-- ---------------------------------------------------------------------------------------------
create function public.workspace_asset_expires_at() returns timestamptz
language sql
stable
set search_path = ''
as $$
  select now() + make_interval(hours => public.setting_integer(
    (select c.config from public.system_config c where c.id = 1), 'workspace_ttl_hours', 168, 1, 87600))
$$;
comment on function public.workspace_asset_expires_at() is 'Default of workspace_assets.expires_at: now plus system_config.workspace_ttl_hours (default 168, one week).';
-- Workspace rows are written on the service path (and by the job-flow functions) only.
revoke execute on function public.workspace_asset_expires_at() from public, anon, authenticated;
grant execute on function public.workspace_asset_expires_at() to service_role;

alter table public.workspace_assets alter column expires_at set default public.workspace_asset_expires_at();

-- ---------------------------------------------------------------------------------------------
-- enqueue_job: the idempotency window is idempotency_ttl_hours, like purge_expired_records'
-- ---------------------------------------------------------------------------------------------
-- Same signature and result as 20261202000200; the settings are read through setting_integer.
create or replace function public.enqueue_job(
  p_user_id uuid,
  p_job jsonb,
  p_cost integer,
  p_idempotency_key text default null,
  p_request_hash text default null,
  p_max_active integer default null
) returns table (outcome text, job_id uuid, balance integer, job jsonb)
language plpgsql
set search_path = ''
as $$
declare
  _balance integer;
  _existing record;
  _active integer;
  _job public.jobs;
  _created public.jobs;
  _config jsonb := coalesce((select c.config from public.system_config c where c.id = 1), '{}'::jsonb);
  -- 0 is meaningful for both: no new jobs at all; keys never replayed.
  _max_active integer := coalesce(p_max_active,
    public.setting_integer(_config, 'max_active_jobs_per_user', 10));
  _idempotency_hours integer := public.setting_integer(_config, 'idempotency_ttl_hours', 24);
begin
  if p_cost < 0 then
    raise exception 'cost must not be negative' using errcode = '22023';
  end if;
  -- The profile row lock serialises one user's requests: the cap, the balance and the
  -- idempotency check below cannot race each other.
  select p.token_balance into _balance from public.profiles p where p.id = p_user_id for update;
  if not found then
    raise exception 'no profile for user %', p_user_id using errcode = 'P0002';
  end if;

  if p_idempotency_key is not null then
    select j.id, j.request_hash, j.created_at into _existing
    from public.jobs j where j.user_id = p_user_id and j.idempotency_key = p_idempotency_key;
    if found and _existing.created_at < now() - make_interval(hours => _idempotency_hours) then
      -- Keys are kept idempotency_ttl_hours; an older one is free to use again.
      update public.jobs set idempotency_key = null, request_hash = null where id = _existing.id;
    elsif found then
      return query select case when _existing.request_hash = p_request_hash then 'replayed' else 'idempotency_conflict' end,
        _existing.id, _balance,
        case when _existing.request_hash = p_request_hash
          then (select to_jsonb(j) from public.jobs j where j.id = _existing.id) end;
      return;
    end if;
  end if;

  select count(*) into _active from public.jobs j
  where j.user_id = p_user_id and j.status in ('queued', 'processing');
  if _active >= _max_active then
    return query select 'too_many_active'::text, null::uuid, _balance, null::jsonb;
    return;
  end if;
  if _balance < p_cost then
    return query select 'insufficient_credits'::text, null::uuid, _balance, null::jsonb;
    return;
  end if;

  _job := jsonb_populate_record(null::public.jobs, p_job);
  insert into public.jobs (user_id, status, modality, quality, content_mode, destination, api_model_id, job_type,
    model_type, format, original_prompt, enhanced_prompt, prompt, negative_prompt, num_outputs, seed, width, height,
    aspect_ratio, duration_seconds, reference_image_path, cost_credits, max_attempts, deadline_at, idempotency_key,
    request_hash, metadata, input, project_id, template_name, enhancement_strategy, enhancement_time_ms,
    qwen_expansion_percentage)
  values (p_user_id, 'queued', _job.modality, coalesce(_job.quality, 'fast'), coalesce(_job.content_mode, 'sfw'),
    coalesce(_job.destination, 'workspace'), _job.api_model_id, _job.job_type, _job.model_type, _job.modality,
    _job.original_prompt, _job.enhanced_prompt, _job.prompt, _job.negative_prompt, coalesce(_job.num_outputs, 1),
    _job.seed, _job.width, _job.height, _job.aspect_ratio, _job.duration_seconds, _job.reference_image_path, p_cost,
    coalesce(_job.max_attempts, public.setting_integer(_config, 'default_max_attempts', 3, 1, 20)),
    coalesce(_job.deadline_at,
      now() + make_interval(mins => public.setting_integer(_config, 'job_deadline_minutes', 30, 1))),
    p_idempotency_key, p_request_hash, coalesce(_job.metadata, '{}'::jsonb), _job.input, _job.project_id,
    _job.template_name, _job.enhancement_strategy, _job.enhancement_time_ms, _job.qwen_expansion_percentage)
  returning * into _created;

  update public.profiles set token_balance = token_balance - p_cost where id = p_user_id
  returning token_balance into _balance;
  insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed, balance_after, format, quality, metadata)
  values (p_user_id, _created.id, 'charge', 'generation', p_cost, _balance, _job.modality, coalesce(_job.quality, 'fast'),
    jsonb_build_object('model_id', _job.api_model_id));
  return query select 'created'::text, _created.id, _balance, to_jsonb(_created);
end
$$;
comment on function public.enqueue_job(uuid, jsonb, integer, text, text, integer) is 'Charges the user and inserts the job in one transaction: per-user active-job cap (system_config.max_active_jobs_per_user unless given), idempotency key replay/conflict (for system_config.idempotency_ttl_hours, default 24), balance never below zero. Outcomes: created, replayed, idempotency_conflict, too_many_active, insufficient_credits; job is the created or replayed row (as JSON), so the caller needs no second read.';

-- ---------------------------------------------------------------------------------------------
-- purge_expired_records: the same settings through setting_integer, so a malformed value means
-- the default rather than a failing cron run
-- ---------------------------------------------------------------------------------------------
create or replace function public.purge_expired_records() returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  _config jsonb := coalesce((select c.config from public.system_config c where c.id = 1), '{}'::jsonb);
  _webhook_days integer := public.setting_integer(_config, 'webhook_event_retention_days', 30, 1);
  _idempotency_hours integer := public.setting_integer(_config, 'idempotency_ttl_hours', 24);
  _webhooks integer;
  _keys integer;
begin
  delete from public.webhook_events w
  where w.received_at < now() - make_interval(days => _webhook_days);
  get diagnostics _webhooks = row_count;

  -- Idempotency keys are honoured for idempotency_ttl_hours (enqueue_job reads the same
  -- setting); afterwards the key is reusable.
  update public.jobs j set idempotency_key = null, request_hash = null
  where j.idempotency_key is not null
    and j.created_at < now() - make_interval(hours => _idempotency_hours);
  get diagnostics _keys = row_count;

  return jsonb_build_object('webhook_events_deleted', _webhooks, 'idempotency_keys_cleared', _keys);
end
$$;
