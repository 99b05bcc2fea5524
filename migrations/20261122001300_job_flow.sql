-- Job flow (DESIGN.md section 8): charging and enqueueing in one statement, the job state
-- machine with exactly-once refunds, fair claiming for the dispatcher, and webhook delivery
-- records. TypeScript calls these; it never re-implements them with read-then-write. All are
-- executable by service_role only: the functions authenticate the user, price the job from the
-- registry and call them on the service path.

-- ---------------------------------------------------------------------------------------------
-- Refunds (internal)
-- ---------------------------------------------------------------------------------------------
create function public.refund_job_credits(p_job_id uuid, p_credits integer, p_reason text)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  _user_id uuid;
  _balance integer;
  _inserted uuid;
begin
  if p_credits <= 0 then
    return 0;
  end if;
  select j.user_id into _user_id from public.jobs j where j.id = p_job_id;
  -- The ledger's unique (job_id, kind) makes the refund happen once, whoever asks how often.
  insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed, metadata)
  values (_user_id, p_job_id, 'refund', 'job_refund', -p_credits, jsonb_build_object('reason', p_reason))
  on conflict (job_id, kind) where job_id is not null do nothing
  returning id into _inserted;
  if _inserted is null then
    return 0;
  end if;
  update public.profiles set token_balance = token_balance + p_credits where id = _user_id
  returning token_balance into _balance;
  update public.usage_logs set balance_after = _balance where id = _inserted;
  return p_credits;
end
$$;
comment on function public.refund_job_credits(uuid, integer, text) is 'Returns credits for a job to its owner exactly once (ledger row unique per job and kind); returns the credits refunded now (0 when already refunded).';
revoke execute on function public.refund_job_credits(uuid, integer, text) from public, anon, authenticated;
grant execute on function public.refund_job_credits(uuid, integer, text) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Enqueue: cap, idempotency, balance, charge and insert, atomically per user
-- ---------------------------------------------------------------------------------------------
create function public.enqueue_job(
  p_user_id uuid,
  p_job jsonb,
  p_cost integer,
  p_idempotency_key text default null,
  p_request_hash text default null,
  p_max_active integer default null
) returns table (outcome text, job_id uuid, balance integer)
language plpgsql
set search_path = ''
as $$
declare
  _balance integer;
  _existing record;
  _active integer;
  _job public.jobs;
  _id uuid;
  _config jsonb := (select c.config from public.system_config c where c.id = 1);
  _max_active integer := coalesce(p_max_active, (_config ->> 'max_active_jobs_per_user')::integer, 10);
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
    if found and _existing.created_at < now() - interval '24 hours' then
      -- Keys are kept 24 hours; an older one is free to use again.
      update public.jobs set idempotency_key = null, request_hash = null where id = _existing.id;
    elsif found then
      return query select case when _existing.request_hash = p_request_hash then 'replayed' else 'idempotency_conflict' end,
        _existing.id, _balance;
      return;
    end if;
  end if;

  select count(*) into _active from public.jobs j
  where j.user_id = p_user_id and j.status in ('queued', 'processing');
  if _active >= _max_active then
    return query select 'too_many_active'::text, null::uuid, _balance;
    return;
  end if;
  if _balance < p_cost then
    return query select 'insufficient_credits'::text, null::uuid, _balance;
    return;
  end if;

  _job := jsonb_populate_record(null::public.jobs, p_job);
  insert into public.jobs (user_id, status, modality, quality, content_mode, destination, api_model_id, job_type,
    model_type, format, original_prompt, enhanced_prompt, prompt, negative_prompt, num_outputs, seed, width, height,
    aspect_ratio, duration_seconds, reference_image_path, cost_credits, max_attempts, deadline_at, idempotency_key,
    request_hash, metadata, input, project_id, template_name)
  values (p_user_id, 'queued', _job.modality, coalesce(_job.quality, 'fast'), coalesce(_job.content_mode, 'sfw'),
    coalesce(_job.destination, 'workspace'), _job.api_model_id, _job.job_type, _job.model_type, _job.modality,
    _job.original_prompt, _job.enhanced_prompt, _job.prompt, _job.negative_prompt, coalesce(_job.num_outputs, 1),
    _job.seed, _job.width, _job.height, _job.aspect_ratio, _job.duration_seconds, _job.reference_image_path, p_cost,
    coalesce(_job.max_attempts, (_config ->> 'default_max_attempts')::integer, 3), coalesce(_job.deadline_at,
      now() + make_interval(mins => coalesce((_config ->> 'job_deadline_minutes')::integer, 30))), p_idempotency_key,
    p_request_hash, coalesce(_job.metadata, '{}'::jsonb), _job.input, _job.project_id, _job.template_name)
  returning id into _id;

  update public.profiles set token_balance = token_balance - p_cost where id = p_user_id
  returning token_balance into _balance;
  insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed, balance_after, format, quality, metadata)
  values (p_user_id, _id, 'charge', 'generation', p_cost, _balance, _job.modality, coalesce(_job.quality, 'fast'),
    jsonb_build_object('model_id', _job.api_model_id));
  return query select 'created'::text, _id, _balance;
end
$$;
comment on function public.enqueue_job(uuid, jsonb, integer, text, text, integer) is 'Charges the user and inserts the job in one transaction: per-user active-job cap (system_config.max_active_jobs_per_user unless given), idempotency key replay/conflict (24 h), balance never below zero. Outcomes: created, replayed, idempotency_conflict, too_many_active, insufficient_credits.';
revoke execute on function public.enqueue_job(uuid, jsonb, integer, text, text, integer) from public, anon, authenticated;
grant execute on function public.enqueue_job(uuid, jsonb, integer, text, text, integer) to service_role;

-- ---------------------------------------------------------------------------------------------
-- The state machine
-- ---------------------------------------------------------------------------------------------
create function public.job_transition(p_job_id uuid, p_event text, p_data jsonb default '{}'::jsonb)
returns table (applied boolean, status text, refunded integer)
language plpgsql
set search_path = ''
as $$
declare
  _job public.jobs;
  _leased boolean;
  _refund integer := 0;
  _stored integer;
  _attempts integer;
begin
  select * into _job from public.jobs j where j.id = p_job_id for update;
  if not found then
    return query select false, null::text, 0;
    return;
  end if;
  -- Terminal states never change: duplicates and late deliveries are no-ops.
  if _job.status in ('completed', 'failed', 'cancelled') then
    return query select false, _job.status, 0;
    return;
  end if;
  _leased := _job.status = 'queued' and _job.lease_expires_at is not null and _job.lease_expires_at > now();

  if p_event = 'submitted' and _leased then
    update public.jobs set status = 'processing', provider_prediction_id = p_data ->> 'prediction_id',
      api_model_id = coalesce((p_data ->> 'model_id')::uuid, api_model_id), input = coalesce(p_data -> 'input', input),
      started_at = coalesce(started_at, now()), lease_expires_at = null, attempts = attempts + 1,
      error_code = null, error_message = null
    where id = p_job_id;
    return query select true, 'processing'::text, 0;
  elsif p_event = 'release' and _leased then
    -- No rate slot (or a 429): back to the queue without counting an attempt.
    update public.jobs set lease_expires_at = null,
      next_attempt_at = now() + make_interval(secs => coalesce((p_data ->> 'delay_ms')::numeric, 0) / 1000),
      api_model_id = coalesce((p_data ->> 'model_id')::uuid, api_model_id)
    where id = p_job_id;
    return query select true, 'queued'::text, 0;
  elsif p_event = 'retry' and (_leased or _job.status = 'processing') then
    _attempts := _job.attempts + case when _leased then 1 else 0 end;
    if _attempts >= _job.max_attempts or _job.deadline_at <= now() then
      update public.jobs set status = 'failed', lease_expires_at = null, attempts = _attempts, completed_at = now(),
        error_code = coalesce(p_data ->> 'error_code', 'attempts_exhausted'),
        error_message = left(coalesce(p_data ->> 'error_message', 'The provider kept failing'), 4000)
      where id = p_job_id;
      _refund := public.refund_job_credits(p_job_id, _job.cost_credits, 'attempts_exhausted');
      return query select true, 'failed'::text, _refund;
    else
      update public.jobs set status = 'queued', lease_expires_at = null, attempts = _attempts,
        provider_prediction_id = null,
        next_attempt_at = now() + make_interval(secs => coalesce((p_data ->> 'delay_ms')::numeric, 0) / 1000),
        api_model_id = coalesce((p_data ->> 'model_id')::uuid, api_model_id),
        error_code = p_data ->> 'error_code', error_message = left(p_data ->> 'error_message', 4000)
      where id = p_job_id;
      return query select true, 'queued'::text, 0;
    end if;
  elsif p_event = 'complete' and _job.status = 'processing' then
    _stored := least(coalesce((p_data ->> 'outputs_stored')::integer, 0), _job.num_outputs);
    if _stored <= 0 then
      update public.jobs set status = 'failed', completed_at = now(), error_code = 'no_outputs',
        error_message = 'The provider returned no usable output'
      where id = p_job_id;
      _refund := public.refund_job_credits(p_job_id, _job.cost_credits, 'no_outputs');
      return query select true, 'failed'::text, _refund;
    else
      update public.jobs set status = 'completed', completed_at = now(), error_code = null, error_message = null
      where id = p_job_id;
      -- Outputs the provider did not deliver are refunded pro rata.
      _refund := public.refund_job_credits(p_job_id,
        (_job.cost_credits * (_job.num_outputs - _stored)) / _job.num_outputs, 'missing_outputs');
      return query select true, 'completed'::text, _refund;
    end if;
  elsif p_event in ('fail', 'cancel') then
    update public.jobs set status = case when p_event = 'fail' then 'failed' else 'cancelled' end,
      lease_expires_at = null, completed_at = now(),
      error_code = coalesce(p_data ->> 'error_code', case when p_event = 'fail' then 'failed' else 'cancelled' end),
      error_message = left(p_data ->> 'error_message', 4000)
    where id = p_job_id;
    _refund := public.refund_job_credits(p_job_id, _job.cost_credits, p_event);
    return query select true, case when p_event = 'fail' then 'failed' else 'cancelled' end, _refund;
  else
    return query select false, _job.status, 0;
  end if;
end
$$;
comment on function public.job_transition(uuid, text, jsonb) is 'The only way a job changes state. Events: submitted, release, retry, complete (outputs_stored), fail, cancel. Refuses transitions the table in DESIGN.md section 8 does not allow (applied = false, nothing changes); refunds exactly once.';
revoke execute on function public.job_transition(uuid, text, jsonb) from public, anon, authenticated;
grant execute on function public.job_transition(uuid, text, jsonb) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Dispatcher claim: due queued jobs, round-robin across users
-- ---------------------------------------------------------------------------------------------
create function public.claim_due_jobs(p_limit integer, p_lease_seconds integer)
returns setof public.jobs
language sql
set search_path = ''
as $$
  with due as (
    select j.id, j.next_attempt_at,
      -- Each user's oldest due job ranks 1, their next 2, ...: one burst cannot starve others.
      row_number() over (partition by j.user_id order by j.next_attempt_at, j.created_at) as turn
    from public.jobs j
    where j.status = 'queued' and j.next_attempt_at <= now()
      and (j.lease_expires_at is null or j.lease_expires_at <= now())
  ), picked as (
    select j.id from public.jobs j join due d on d.id = j.id
    order by d.turn, d.next_attempt_at
    limit p_limit
    for update of j skip locked
  )
  update public.jobs j set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
  from picked
  where j.id = picked.id and j.status = 'queued'
    and (j.lease_expires_at is null or j.lease_expires_at <= now())
  returning j.*
$$;
comment on function public.claim_due_jobs(integer, integer) is 'Leases up to p_limit due queued jobs (FOR UPDATE SKIP LOCKED), taking each user''s oldest first so one user''s burst does not delay others by more than a round. Expired leases are claimable again.';
revoke execute on function public.claim_due_jobs(integer, integer) from public, anon, authenticated;
grant execute on function public.claim_due_jobs(integer, integer) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Webhook deliveries
-- ---------------------------------------------------------------------------------------------
create function public.record_webhook_delivery(
  p_provider text,
  p_delivery_id text,
  p_payload_hash text,
  p_event_type text,
  p_job_id uuid
) returns boolean
language sql
set search_path = ''
as $$
  with inserted as (
    insert into public.webhook_events (provider, delivery_id, payload_hash, event_type, job_id, status, processed_at)
    values (p_provider, p_delivery_id, p_payload_hash, p_event_type, p_job_id, 'processed', now())
    on conflict (provider, delivery_id) do nothing
    returning 1
  )
  select exists (select 1 from inserted)
$$;
comment on function public.record_webhook_delivery(text, text, text, text, uuid) is 'Records a verified delivery once; false for a duplicate (same provider and delivery id), which must then change nothing.';
revoke execute on function public.record_webhook_delivery(text, text, text, text, uuid) from public, anon, authenticated;
grant execute on function public.record_webhook_delivery(text, text, text, text, uuid) to service_role;
