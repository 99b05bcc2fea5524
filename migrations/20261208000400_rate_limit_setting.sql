-- take_user_rate_slot read `<bucket>_requests_per_minute` with a bare ::integer cast, so a typo in
-- system_config ("30/min", 1e12) failed every chat turn and enhancement with a 500. It now reads
-- the setting through setting_integer() like every other setting: a malformed value is the
-- caller's default. Same signature and answers otherwise.
create or replace function public.take_user_rate_slot(p_user_id uuid, p_bucket text, p_default_per_minute integer)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  _window timestamptz := date_trunc('minute', clock_timestamp());
  _count integer;
  _per_minute integer := public.setting_integer(
    coalesce((select c.config from public.system_config c where c.id = 1), '{}'::jsonb),
    p_bucket || '_requests_per_minute',
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
