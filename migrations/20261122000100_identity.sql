-- Identity: profiles, roles and the audit log, plus the helpers every later policy relies on
-- (set_updated_at, has_role). Writes that users must not make themselves (roles, credits,
-- audit rows) go through security definer functions with EXECUTE granted explicitly.

-- ---------------------------------------------------------------------------------------------
-- Types
-- ---------------------------------------------------------------------------------------------
create type public.app_role as enum ('admin', 'moderator', 'premium_user', 'basic_user', 'guest');
comment on type public.app_role is 'Roles a user can hold; admin unlocks the admin-only tables and endpoints.';

-- ---------------------------------------------------------------------------------------------
-- Shared trigger function
-- ---------------------------------------------------------------------------------------------
create function public.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function public.set_updated_at() is 'BEFORE UPDATE trigger: stamps updated_at on every table that has it.';
revoke execute on function public.set_updated_at() from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  username text unique check (username ~ '^[A-Za-z0-9_.-]{3,32}$'),
  subscription_status text not null default 'inactive'
    check (subscription_status in ('inactive', 'starter', 'pro', 'creator')),
  -- Credits; moved only by the charging/refund functions, never below zero.
  token_balance integer not null default 0 check (token_balance >= 0),
  -- Derived from birth_date by profiles_guard; users cannot set it directly.
  age_verified boolean not null default false,
  birth_date date check (birth_date >= date '1900-01-01'),
  age_verification_date timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is 'One row per auth user: display name, plan, credit balance and age verification.';

create table public.user_roles (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.app_role not null,
  created_at timestamptz not null default now(),
  unique (user_id, role)
);
comment on table public.user_roles is 'Role assignments; every user gets basic_user on sign-up, admins are granted here.';

create table public.user_activity_log (
  id uuid primary key default gen_random_uuid(),
  -- Kept (as null) when the profile goes, so the audit trail survives account deletion.
  user_id uuid references public.profiles (id) on delete set null,
  action text not null check (char_length(action) between 1 and 200),
  resource_type text check (char_length(resource_type) <= 100),
  resource_id text check (char_length(resource_id) <= 200),
  metadata jsonb not null default '{}'::jsonb,
  ip_address inet,
  user_agent text check (char_length(user_agent) <= 512),
  created_at timestamptz not null default now()
);
comment on table public.user_activity_log is 'Audit trail: one row per state-changing request a user makes, written only by record_user_activity().';
create index user_activity_log_user_id_created_at_idx on public.user_activity_log (user_id, created_at desc);
create index user_activity_log_created_at_idx on public.user_activity_log (created_at);

create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: anon gets nothing; users read, and change only what the column grants allow
-- ---------------------------------------------------------------------------------------------
revoke all on public.profiles, public.user_roles, public.user_activity_log from anon, authenticated;
grant select on public.profiles, public.user_roles, public.user_activity_log to authenticated;
grant update (username, birth_date) on public.profiles to authenticated;
grant insert, delete on public.user_roles to authenticated;

alter table public.profiles enable row level security;
alter table public.user_roles enable row level security;
alter table public.user_activity_log enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
create function public.has_role(_user_id uuid, _role public.app_role) returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.user_roles r where r.user_id = _user_id and r.role = _role
  )
  -- An end user may only ask about themself, so roles (who is admin) cannot be enumerated.
  and (auth.role() is distinct from 'authenticated' or _user_id = auth.uid())
$$;
comment on function public.has_role(uuid, public.app_role) is 'True when the user holds the role. Security definer so policies can read user_roles without recursion; end users may only ask about themselves.';
revoke execute on function public.has_role(uuid, public.app_role) from public, anon, authenticated;
grant execute on function public.has_role(uuid, public.app_role) to authenticated, service_role;

create function public.profiles_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Only end users are restricted; service paths and admin tooling run as other roles.
  if auth.role() is distinct from 'authenticated' then
    return new;
  end if;
  if new.birth_date is distinct from old.birth_date then
    if old.birth_date is not null then
      raise exception 'birth_date can only be set once' using errcode = '42501';
    end if;
    if new.birth_date > current_date then
      raise exception 'birth_date cannot be in the future' using errcode = '23514';
    end if;
    -- The documented rule: age is verified once a birth date of 18+ years ago is declared.
    if new.birth_date <= (current_date - interval '18 years')::date then
      new.age_verified := true;
      new.age_verification_date := now();
    end if;
  end if;
  return new;
end
$$;
comment on function public.profiles_guard() is 'BEFORE UPDATE on profiles for end users: birth_date is set once and derives age_verified (18+). Column grants already stop users changing credits, plan or age_verified.';
revoke execute on function public.profiles_guard() from public, anon, authenticated;
create trigger profiles_guard before update on public.profiles
  for each row execute function public.profiles_guard();

create function public.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  _username text := new.raw_user_meta_data ->> 'username';
begin
  if _username is null
    or _username !~ '^[A-Za-z0-9_.-]{3,32}$'
    or exists (select 1 from public.profiles p where p.username = _username) then
    _username := null;
  end if;
  insert into public.profiles (id, username, token_balance)
  values (new.id, _username, 100);
  insert into public.user_roles (user_id, role) values (new.id, 'basic_user');
  return new;
end
$$;
comment on function public.handle_new_user() is 'AFTER INSERT on auth.users: creates the profile (with starting credits) and the basic_user role.';
revoke execute on function public.handle_new_user() from public, anon, authenticated;
create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

create function public.record_user_activity(
  p_user_id uuid,
  p_action text,
  p_resource_type text default null,
  p_resource_id text default null,
  p_metadata jsonb default '{}'::jsonb,
  p_ip_address inet default null,
  p_user_agent text default null
) returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into public.user_activity_log
    (user_id, action, resource_type, resource_id, metadata, ip_address, user_agent)
  values (
    p_user_id,
    left(p_action, 200),
    left(p_resource_type, 100),
    left(p_resource_id, 200),
    coalesce(p_metadata, '{}'::jsonb),
    p_ip_address,
    left(p_user_agent, 512)
  )
  returning id
$$;
comment on function public.record_user_activity(uuid, text, text, text, jsonb, inet, text) is 'Appends one audit row. Called by the functions'' audit middleware on the service path; users cannot write audit rows.';
revoke execute on function public.record_user_activity(uuid, text, text, text, jsonb, inet, text) from public, anon, authenticated;
grant execute on function public.record_user_activity(uuid, text, text, text, jsonb, inet, text) to service_role;

-- ---------------------------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------------------------
create policy profiles_select_own_or_admin on public.profiles for select to authenticated
  using (id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy profiles_update_own on public.profiles for update to authenticated
  using (id = (select auth.uid())) with check (id = (select auth.uid()));

create policy user_roles_select_own_or_admin on public.user_roles for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy user_roles_insert_admin on public.user_roles for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy user_roles_delete_admin on public.user_roles for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy user_activity_log_select_own_or_admin on public.user_activity_log for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
