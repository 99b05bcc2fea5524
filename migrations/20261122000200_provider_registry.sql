-- Provider registry: which external APIs we call (api_providers) and which models each one
-- serves (api_models). Rows drive the adapters entirely: base URL, auth, model key/version,
-- input defaults, the typed capabilities schema, pricing in credits and rate limits.
-- End users read active rows but never the names of secrets; admins manage the rows.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.api_providers (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (name ~ '^[a-z0-9][a-z0-9_-]{1,63}$'),
  display_name text not null check (char_length(display_name) between 1 and 100),
  -- Which adapter speaks this provider's wire format.
  adapter text not null check (adapter in ('replicate', 'openrouter', 'openai_compatible')),
  -- The real API base URL; an env override (<NAME>_BASE_URL) may point it at a simulator.
  base_url text not null check (base_url ~ '^https?://'),
  docs_url text check (docs_url ~ '^https?://'),
  auth_scheme text not null default 'bearer' check (auth_scheme in ('bearer', 'token', 'header', 'none')),
  auth_header_name text not null default 'Authorization' check (auth_header_name ~ '^[A-Za-z0-9-]{1,64}$'),
  -- Name of the env var holding the API key (never the key itself). Not readable by users.
  secret_name text check (secret_name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  -- Name of the env var holding the webhook signing secret. Not readable by users.
  webhook_secret_name text check (webhook_secret_name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  -- e.g. {"requests_per_minute": 600}; the dispatcher paces submissions to it.
  rate_limits jsonb not null default '{}'::jsonb check (jsonb_typeof(rate_limits) = 'object'),
  -- Hosts outputs may be downloaded from (Replicate serves files from another host than its API).
  allowed_output_hosts text[] not null default '{}',
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.api_providers is 'External AI APIs (Replicate, OpenRouter, OpenAI-compatible): adapter, base URL, auth and rate limits. Secret columns hold env var names and are not readable by API roles.';

create table public.api_models (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references public.api_providers (id) on delete cascade,
  -- Replicate `owner/name`, OpenRouter model id, ...
  model_key text not null check (char_length(model_key) between 1 and 200),
  -- Replicate version hash for community models; null for official models (no version needed).
  version text check (version ~ '^[A-Za-z0-9._:-]{1,128}$'),
  display_name text not null check (char_length(display_name) between 1 and 200),
  modality text not null check (modality in ('image', 'video', 'chat', 'audio', 'embedding')),
  task text not null check (task in ('generation', 'enhancement', 'chat', 'roleplay', 'moderation', 'upscale', 'vision', 'embedding')),
  model_family text check (char_length(model_family) <= 100),
  endpoint_path text check (char_length(endpoint_path) <= 300),
  -- Base provider input; the request is merged over it and filtered through capabilities.
  input_defaults jsonb not null default '{}'::jsonb check (jsonb_typeof(input_defaults) = 'object'),
  -- Typed schema (docs/database.md): input_keys, key_map, ranges, size_mode, quality_presets,
  -- legacy_job_types, video, ...
  capabilities jsonb not null default '{}'::jsonb check (jsonb_typeof(capabilities) = 'object'),
  -- Credits: {"per_output": {"fast": 1, "high": 2}} or {"per_second": {"fast": 2, "high": 4}}.
  pricing jsonb not null default '{}'::jsonb check (jsonb_typeof(pricing) = 'object'),
  output_format text check (char_length(output_format) <= 20),
  description text check (char_length(description) <= 2000),
  is_active boolean not null default true,
  -- At most one default per (modality, task); the rest are fallbacks by priority.
  is_default boolean not null default false,
  priority integer not null default 0,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint api_models_provider_model_version_key unique nulls not distinct (provider_id, model_key, version)
);
comment on table public.api_models is 'Models per provider: key/version, modality and task, input defaults, typed capabilities and pricing in credits. Resolution: explicit id/key, else the default for (modality, task), then others by priority.';
create unique index api_models_one_default_per_task on public.api_models (modality, task) where is_default;
create index api_models_resolution_idx on public.api_models (modality, task, priority desc) where is_active;
create index api_models_created_by_idx on public.api_models (created_by);

create trigger api_providers_set_updated_at before update on public.api_providers
  for each row execute function public.set_updated_at();
create trigger api_models_set_updated_at before update on public.api_models
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: users read the safe columns of active rows; admins manage through the policies.
-- secret_name / webhook_secret_name are not granted to any API role except service_role.
-- ---------------------------------------------------------------------------------------------
revoke all on public.api_providers, public.api_models from anon, authenticated;
grant select (id, name, display_name, adapter, base_url, docs_url, auth_scheme, auth_header_name,
  rate_limits, allowed_output_hosts, is_active, created_at, updated_at)
  on public.api_providers to authenticated;
grant insert, update, delete on public.api_providers to authenticated;
grant select, insert, update, delete on public.api_models to authenticated;

alter table public.api_providers enable row level security;
alter table public.api_models enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------------------------
-- Active providers are readable by every signed-in user; admins see inactive ones too.
create policy api_providers_select_active_or_admin on public.api_providers for select to authenticated
  using (is_active or (select public.has_role((select auth.uid()), 'admin')));
create policy api_providers_insert_admin on public.api_providers for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy api_providers_update_admin on public.api_providers for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy api_providers_delete_admin on public.api_providers for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

-- Active models of active providers are readable by every signed-in user.
create policy api_models_select_active_or_admin on public.api_models for select to authenticated
  using (
    (is_active and exists (select 1 from public.api_providers p where p.id = provider_id and p.is_active))
    or (select public.has_role((select auth.uid()), 'admin'))
  );
create policy api_models_insert_admin on public.api_models for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy api_models_update_admin on public.api_models for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy api_models_delete_admin on public.api_models for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
