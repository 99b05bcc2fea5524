-- Provider runtime state shared by every function instance: request pacing against each
-- provider's rate limit, and per-model health (consecutive failures put a model in cooldown so
-- the next model by priority is used). Both are updated by atomic SQL functions on the
-- service path; admins can read them.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.provider_rate_windows (
  provider_id uuid not null references public.api_providers (id) on delete cascade,
  -- Start of a one-minute window.
  window_start timestamptz not null,
  request_count integer not null default 0 check (request_count >= 0),
  primary key (provider_id, window_start)
);
comment on table public.provider_rate_windows is 'Requests sent per provider per minute, so all instances together stay under api_providers.rate_limits.';

create table public.api_model_health (
  model_id uuid primary key references public.api_models (id) on delete cascade,
  consecutive_failures integer not null default 0 check (consecutive_failures >= 0),
  -- While in the future, resolution skips the model unless it was asked for explicitly.
  cooldown_until timestamptz,
  last_error text check (char_length(last_error) <= 1000),
  updated_at timestamptz not null default now()
);
comment on table public.api_model_health is 'Consecutive provider failures per model and the cooldown they caused.';
create trigger api_model_health_set_updated_at before update on public.api_model_health
  for each row execute function public.set_updated_at();
create index api_model_health_cooldown_idx on public.api_model_health (cooldown_until) where cooldown_until is not null;

revoke all on public.provider_rate_windows, public.api_model_health from anon, authenticated;
grant select on public.provider_rate_windows, public.api_model_health to authenticated;
alter table public.provider_rate_windows enable row level security;
alter table public.api_model_health enable row level security;

create policy provider_rate_windows_select_admin on public.provider_rate_windows for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy api_model_health_select_admin on public.api_model_health for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
create function public.take_provider_slot(p_provider_id uuid, p_per_minute integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  _window timestamptz := date_trunc('minute', clock_timestamp());
  _count integer;
begin
  insert into public.provider_rate_windows as w (provider_id, window_start, request_count)
  values (p_provider_id, _window, 1)
  on conflict (provider_id, window_start) do update
    set request_count = w.request_count + 1
    where w.request_count < p_per_minute
  returning request_count into _count;
  if not found then
    -- Full: the caller waits for the next window; waiting is not a failed attempt.
    return greatest(1, ceil(extract(epoch from (_window + interval '1 minute' - clock_timestamp())) * 1000))::integer;
  end if;
  if _count = 1 then
    delete from public.provider_rate_windows
    where provider_id = p_provider_id and window_start < _window - interval '5 minutes';
  end if;
  return 0;
end
$$;
comment on function public.take_provider_slot(uuid, integer) is 'Takes one request slot in the provider''s current minute; returns 0 when granted, else the milliseconds until the next window. Atomic across instances.';
revoke execute on function public.take_provider_slot(uuid, integer) from public, anon, authenticated;
grant execute on function public.take_provider_slot(uuid, integer) to service_role;

create function public.record_model_outcome(
  p_model_id uuid,
  p_success boolean,
  p_error text default null,
  p_failure_threshold integer default 3,
  p_cooldown_seconds integer default 60
) returns timestamptz
language sql
set search_path = ''
as $$
  insert into public.api_model_health as h (model_id, consecutive_failures, cooldown_until, last_error, updated_at)
  values (
    p_model_id,
    case when p_success then 0 else 1 end,
    case when not p_success and p_failure_threshold <= 1
      then clock_timestamp() + make_interval(secs => p_cooldown_seconds) end,
    case when p_success then null else left(p_error, 1000) end,
    clock_timestamp()
  )
  on conflict (model_id) do update set
    consecutive_failures = case when p_success then 0 else h.consecutive_failures + 1 end,
    cooldown_until = case
      when p_success then null
      when h.consecutive_failures + 1 >= p_failure_threshold
        then clock_timestamp() + make_interval(secs => p_cooldown_seconds)
      else h.cooldown_until end,
    last_error = case when p_success then h.last_error else left(p_error, 1000) end,
    updated_at = clock_timestamp()
  returning cooldown_until
$$;
comment on function public.record_model_outcome(uuid, boolean, text, integer, integer) is 'Records a provider call''s outcome for a model: success resets the failure count; the threshold-th consecutive failure starts a cooldown. Returns the cooldown end, if any.';
revoke execute on function public.record_model_outcome(uuid, boolean, text, integer, integer) from public, anon, authenticated;
grant execute on function public.record_model_outcome(uuid, boolean, text, integer, integer) to service_role;
