-- Per-user request budgets for the functions that call a paid model on the user's behalf
-- (enhance-prompt, playground-chat): a fixed one-minute window per (user, bucket), counted by one
-- atomic statement so every function instance shares the budget. The limit of a bucket is the
-- system_config setting `<bucket>_requests_per_minute` (the caller's default when unset; 0 turns
-- the limit off), read in the same statement.

create table public.user_rate_windows (
  user_id uuid not null references public.profiles (id) on delete cascade,
  -- What is being limited: 'enhance', 'chat', ...
  bucket text not null check (bucket ~ '^[a-z][a-z0-9_]{0,31}$'),
  -- Start of a one-minute window.
  window_start timestamptz not null,
  request_count integer not null default 0 check (request_count >= 0),
  primary key (user_id, bucket, window_start)
);
comment on table public.user_rate_windows is 'Requests per user, bucket and minute, so every instance of a function shares one per-user limit. Service path only; admins read.';

revoke all on public.user_rate_windows from anon, authenticated;
grant select on public.user_rate_windows to authenticated;
alter table public.user_rate_windows enable row level security;
create policy user_rate_windows_select_admin on public.user_rate_windows for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create function public.take_user_rate_slot(p_user_id uuid, p_bucket text, p_default_per_minute integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  _window timestamptz := date_trunc('minute', clock_timestamp());
  _count integer;
  _per_minute integer := coalesce(
    (select (c.config ->> (p_bucket || '_requests_per_minute'))::integer from public.system_config c where c.id = 1),
    p_default_per_minute);
begin
  if _per_minute is null or _per_minute <= 0 then
    return 0;
  end if;
  -- Windows before the current one are of no use to anyone: this user's are dropped here, so
  -- the table holds at most one row per active user and bucket.
  delete from public.user_rate_windows w
  where w.user_id = p_user_id and w.bucket = p_bucket and w.window_start < _window;
  insert into public.user_rate_windows as w (user_id, bucket, window_start, request_count)
  values (p_user_id, p_bucket, _window, 1)
  on conflict (user_id, bucket, window_start) do update
    set request_count = w.request_count + 1
    where w.request_count < _per_minute
  returning request_count into _count;
  if not found then
    -- Full: milliseconds until the next window opens.
    return greatest(1, ceil(extract(epoch from (_window + interval '1 minute' - clock_timestamp())) * 1000))::integer;
  end if;
  return 0;
end
$$;
comment on function public.take_user_rate_slot(uuid, text, integer) is 'Counts one request of the user in the bucket''s current minute against system_config.<bucket>_requests_per_minute (else p_default_per_minute; 0 = no limit); returns 0 when allowed, else the milliseconds until the next window (the caller answers 429 with Retry-After).';
revoke execute on function public.take_user_rate_slot(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.take_user_rate_slot(uuid, text, integer) to service_role;
