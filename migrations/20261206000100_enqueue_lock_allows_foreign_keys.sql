-- enqueue_job locks the caller's profile row FOR NO KEY UPDATE instead of FOR UPDATE.
--
-- The lock exists to serialise one user's enqueues (cap, balance, idempotency); NO KEY UPDATE
-- conflicts with itself, so that still holds. FOR UPDATE also conflicted with the KEY SHARE
-- lock every foreign-key check on profiles takes (a completion inserting the user's workspace
-- assets, a usage row), so a charge could wait on a completion of the same user's earlier job,
-- and charges committed together with other requests could deadlock against completions
-- committed together in another process (seen in the benchmark: Postgres broke each cycle after
-- deadlock_timeout, a one-second stall). The balance update that follows takes the same
-- NO KEY UPDATE lock: token_balance is not a key column.
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
  select p.token_balance into _balance from public.profiles p where p.id = p_user_id for no key update;
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
