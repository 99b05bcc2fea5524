-- Integer settings are checked when they are written, not only when they are read. Readers
-- (setting_integer, shared/db/tables/system_config.ts, the provider pacing in
-- shared/jobs/submit.ts) fall back to a default on a value they cannot use, so a string such as
-- "5", or a fraction where pacing wants an integer, silently replaced what an admin set: a chat
-- limit of "5" became 20 a minute, a provider's "600" or 600.5 turned its pacing off. Such a
-- write is now refused (23514), and the admin sees the error instead of the fallback.

-- ---------------------------------------------------------------------------------------------
-- system_config: every integer setting a reader knows is a JSON number when present
-- ---------------------------------------------------------------------------------------------
create function public.system_config_integers_are_numbers(p_config jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select not exists (
    select 1
    from unnest(array[
      'starting_credits', 'max_active_jobs_per_user', 'default_max_attempts',
      'job_deadline_minutes', 'idempotency_ttl_hours', 'webhook_event_retention_days',
      'api_usage_log_retention_days', 'provider_failure_cooldown_seconds', 'workspace_ttl_hours',
      'job_lease_seconds', 'chat_history_messages', 'chat_requests_per_minute',
      'enhance_requests_per_minute'
    ]) as k(key)
    where p_config ? k.key and jsonb_typeof(p_config -> k.key) <> 'number'
  )
$$;
comment on function public.system_config_integers_are_numbers(jsonb) is 'True when every integer setting (docs/database.md, Settings) present in a system_config.config object is a JSON number; the check constraint on system_config.config. Ranges stay the readers'' (an out-of-range number gives the default).';

-- The constraint runs with the writer's privileges: admins (authenticated, under the admin
-- policy) and the service role.
revoke execute on function public.system_config_integers_are_numbers(jsonb) from public, anon;
grant execute on function public.system_config_integers_are_numbers(jsonb) to authenticated, service_role;

alter table public.system_config add constraint system_config_integer_settings_are_numbers
  check (public.system_config_integers_are_numbers(config));

-- ---------------------------------------------------------------------------------------------
-- api_providers.rate_limits.requests_per_minute: an integer from 1 to 100,000, as
-- shared/providers/capabilities.ts parses it (a fraction, a string or null made the parse fail
-- and the provider's pacing off)
-- ---------------------------------------------------------------------------------------------
alter table public.api_providers drop constraint api_providers_requests_per_minute_range;
alter table public.api_providers add constraint api_providers_requests_per_minute_range check (
  not rate_limits ? 'requests_per_minute'
  or (jsonb_typeof(rate_limits -> 'requests_per_minute') = 'number'
    and (rate_limits ->> 'requests_per_minute')::numeric between 1 and 100000
    and (rate_limits ->> 'requests_per_minute')::numeric
      = trunc((rate_limits ->> 'requests_per_minute')::numeric))
);
