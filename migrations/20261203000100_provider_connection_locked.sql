-- How we reach a provider, and with which secret, is server configuration, not data an app admin
-- edits. An admin who could set api_providers.secret_name and base_url could make the functions
-- send any environment variable (JWT_SECRET, the service key, the real Replicate token) to a host
-- of their choosing. From now on no API role, admins included, inserts providers or changes the
-- connection columns (name, adapter, base_url, auth_scheme, auth_header_name, secret_name,
-- webhook_secret_name, allowed_output_hosts): they change through migrations, or as service_role.
-- Admins keep what is safe to tune at run time: display_name, docs_url, rate_limits, is_active,
-- and deleting a provider.
--
-- Two locks: column privileges (authenticated may update only the safe columns, insert nothing),
-- and a trigger that refuses any connection change made as anon or authenticated, should a later
-- grant widen the privileges by mistake. The functions also read secrets only from an allowlist
-- of provider env names (shared/providers/provider_secrets.ts).

revoke insert, update on public.api_providers from authenticated;
grant update (display_name, docs_url, rate_limits, is_active) on public.api_providers to authenticated;
drop policy api_providers_insert_admin on public.api_providers;

create function public.api_providers_protect_connection()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- current_user is the API role inside a PostgREST-style transaction (set local role).
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if tg_op = 'INSERT' then
    raise exception 'providers are added by migrations or the service role' using errcode = '42501';
  end if;
  if (new.name, new.adapter, new.base_url, new.auth_scheme, new.auth_header_name, new.secret_name,
      new.webhook_secret_name, new.allowed_output_hosts)
    is distinct from (old.name, old.adapter, old.base_url, old.auth_scheme, old.auth_header_name,
      old.secret_name, old.webhook_secret_name, old.allowed_output_hosts) then
    raise exception 'a provider''s connection columns change through migrations or the service role'
      using errcode = '42501';
  end if;
  return new;
end
$$;
comment on function public.api_providers_protect_connection() is 'Trigger: refuses inserts and changes to the connection columns of api_providers (name, adapter, base_url, auth_*, secret names, allowed_output_hosts) made as anon or authenticated.';
revoke execute on function public.api_providers_protect_connection() from public, anon, authenticated;

create trigger api_providers_protect_connection before insert or update on public.api_providers
  for each row execute function public.api_providers_protect_connection();

-- Secret names may only name provider secrets: never a platform variable, whoever writes the row.
alter table public.api_providers add constraint api_providers_secret_names_not_platform check (
  coalesce(secret_name, '') !~* '^(SUPABASE_|SB_|JWT_|DB_|DATABASE_|PG|DENO_|METRICS_TOKEN$|PROVIDER_SECRET_NAMES$)'
  and coalesce(webhook_secret_name, '') !~* '^(SUPABASE_|SB_|JWT_|DB_|DATABASE_|PG|DENO_|METRICS_TOKEN$|PROVIDER_SECRET_NAMES$)'
);
