-- Prompting and system configuration: enhancement/chat templates, negative prompts, enhancement
-- presets, compel configs and the singleton system_config. All admin-only; the functions read
-- them on the service path. handle_new_user now takes the starting credits from system_config.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.prompt_templates (
  id uuid primary key default gen_random_uuid(),
  -- The model that runs the template: an api_models.model_key, or '' for any enhancer.
  enhancer_model text not null default '' check (char_length(enhancer_model) <= 200),
  use_case text not null check (use_case ~ '^[a-z][a-z0-9_]{1,63}$'),
  content_mode text not null check (content_mode in ('sfw', 'nsfw')),
  template_name text not null check (char_length(template_name) between 1 and 200),
  system_prompt text not null check (char_length(system_prompt) between 1 and 20000),
  token_limit integer not null default 512 check (token_limit between 1 and 32000),
  -- What the template is for: chat/roleplay, or enhancing an image/video prompt.
  job_type text check (job_type in ('chat', 'roleplay', 'image', 'video')),
  -- The generation model the enhanced prompt is written for (api_models.model_key); null = any.
  target_model text check (char_length(target_model) <= 200),
  version integer not null default 1 check (version >= 1),
  metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  description text,
  comment text,
  is_active boolean not null default true,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint prompt_templates_name_version_key unique (template_name, version)
);
comment on table public.prompt_templates is 'System prompts for prompt enhancement and chat, per (use_case, content_mode, job_type, target_model, enhancer_model). At most one active template per lookup tuple; content modes are never swapped on lookup.';
-- One active template per lookup tuple, so a lookup is never ambiguous (the reference's unique
-- key did not cover the tuple it looked up by).
create unique index prompt_templates_active_lookup_key on public.prompt_templates
  (use_case, content_mode, coalesce(job_type, ''), coalesce(target_model, ''), enhancer_model)
  where is_active;
create index prompt_templates_created_by_idx on public.prompt_templates (created_by);

create table public.negative_prompts (
  id uuid primary key default gen_random_uuid(),
  -- Model family the prompt suits (api_models.model_family, e.g. 'sdxl'); not a closed list.
  model_type text not null check (char_length(model_type) between 1 and 100),
  content_mode text not null check (content_mode in ('sfw', 'nsfw')),
  generation_mode text not null default 'txt2img' check (generation_mode in ('txt2img', 'i2i')),
  negative_prompt text not null check (char_length(negative_prompt) between 1 and 4000),
  priority integer not null default 1,
  description text,
  is_active boolean not null default true,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.negative_prompts is 'Negative prompt fragments per (model family, content mode, generation mode), joined by priority for models that take a negative prompt.';
create unique index negative_prompts_unique_text on public.negative_prompts
  (model_type, content_mode, generation_mode, md5(negative_prompt));
create index negative_prompts_created_by_idx on public.negative_prompts (created_by);

create table public.enhancement_presets (
  id uuid primary key default gen_random_uuid(),
  preset_name text not null unique check (char_length(preset_name) between 1 and 100),
  preset_description text,
  enable_qwen boolean not null default false,
  enable_compel boolean not null default false,
  auto_enhancement boolean not null default false,
  compel_weights jsonb,
  qwen_settings jsonb,
  usage_count integer not null default 0 check (usage_count >= 0),
  avg_quality_with_preset numeric(4, 2) check (avg_quality_with_preset between 0 and 10),
  is_recommended boolean not null default false,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.enhancement_presets is 'Named enhancement settings (LLM enhancement on/off and settings, compel weights) with usage and quality statistics.';
create index enhancement_presets_created_by_idx on public.enhancement_presets (created_by);

create table public.compel_configs (
  id uuid primary key default gen_random_uuid(),
  config_name text not null check (char_length(config_name) between 1 and 100),
  weights jsonb not null,
  -- sha256 hex of the weights, so the same weighting is stored once.
  config_hash text not null unique check (config_hash ~ '^[0-9a-f]{64}$'),
  total_tests integer not null default 0 check (total_tests >= 0),
  avg_quality numeric(4, 2) check (avg_quality between 0 and 10),
  avg_consistency numeric(4, 2) check (avg_consistency between 0 and 10),
  is_active boolean not null default false,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.compel_configs is 'Compel prompt-weighting configurations and their test statistics.';
create index compel_configs_created_by_idx on public.compel_configs (created_by);

create table public.system_config (
  id bigint primary key default 1 check (id = 1),
  -- Shape in docs/database.md (starting_credits, max_active_jobs_per_user, ...).
  config jsonb not null default '{}'::jsonb check (jsonb_typeof(config) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.system_config is 'Singleton (id = 1) of runtime settings as one JSON object: starting credits, per-user job cap, TTLs, lease and deadline lengths.';

-- The row exists from the start: handle_new_user and the functions read it.
insert into public.system_config (id, config) values (1, jsonb_build_object(
  'starting_credits', 100,
  'max_active_jobs_per_user', 10,
  'default_max_attempts', 3,
  'job_lease_seconds', 120,
  'job_deadline_minutes', 30,
  'workspace_ttl_hours', 168,
  'idempotency_ttl_hours', 24,
  'provider_failure_cooldown_seconds', 60,
  'webhook_event_retention_days', 30,
  'chat_history_messages', 20
));

create trigger prompt_templates_set_updated_at before update on public.prompt_templates
  for each row execute function public.set_updated_at();
create trigger negative_prompts_set_updated_at before update on public.negative_prompts
  for each row execute function public.set_updated_at();
create trigger enhancement_presets_set_updated_at before update on public.enhancement_presets
  for each row execute function public.set_updated_at();
create trigger compel_configs_set_updated_at before update on public.compel_configs
  for each row execute function public.set_updated_at();
create trigger system_config_set_updated_at before update on public.system_config
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: admin-only tables (the policies decide); anon gets nothing
-- ---------------------------------------------------------------------------------------------
revoke all on public.prompt_templates, public.negative_prompts, public.enhancement_presets,
  public.compel_configs, public.system_config from anon, authenticated;
grant select, insert, update, delete on public.prompt_templates, public.negative_prompts,
  public.enhancement_presets, public.compel_configs to authenticated;
-- The singleton is never inserted or deleted through the API.
grant select, update on public.system_config to authenticated;

alter table public.prompt_templates enable row level security;
alter table public.negative_prompts enable row level security;
alter table public.enhancement_presets enable row level security;
alter table public.compel_configs enable row level security;
alter table public.system_config enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
create or replace function public.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  _username text := new.raw_user_meta_data ->> 'username';
  _setting jsonb := (select c.config -> 'starting_credits' from public.system_config c where c.id = 1);
  _credits integer := 0;
begin
  if _username is null
    or _username !~ '^[A-Za-z0-9_.-]{3,32}$'
    or exists (select 1 from public.profiles p where p.username = _username) then
    _username := null;
  end if;
  -- A malformed setting gives no credits rather than failing every sign-up.
  if jsonb_typeof(_setting) = 'number' then
    _credits := greatest(0, least(floor(_setting::numeric), 2147483647))::integer;
  end if;
  insert into public.profiles (id, username, token_balance)
  values (new.id, _username, _credits);
  insert into public.user_roles (user_id, role) values (new.id, 'basic_user');
  return new;
end
$$;
comment on function public.handle_new_user() is 'AFTER INSERT on auth.users: creates the profile with system_config.starting_credits (0 when unset) and the basic_user role.';
revoke execute on function public.handle_new_user() from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Policies: admins only
-- ---------------------------------------------------------------------------------------------
create policy prompt_templates_select_admin on public.prompt_templates for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy prompt_templates_insert_admin on public.prompt_templates for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy prompt_templates_update_admin on public.prompt_templates for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy prompt_templates_delete_admin on public.prompt_templates for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy negative_prompts_select_admin on public.negative_prompts for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy negative_prompts_insert_admin on public.negative_prompts for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy negative_prompts_update_admin on public.negative_prompts for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy negative_prompts_delete_admin on public.negative_prompts for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy enhancement_presets_select_admin on public.enhancement_presets for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy enhancement_presets_insert_admin on public.enhancement_presets for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy enhancement_presets_update_admin on public.enhancement_presets for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy enhancement_presets_delete_admin on public.enhancement_presets for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy compel_configs_select_admin on public.compel_configs for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy compel_configs_insert_admin on public.compel_configs for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy compel_configs_update_admin on public.compel_configs for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy compel_configs_delete_admin on public.compel_configs for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy system_config_select_admin on public.system_config for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy system_config_update_admin on public.system_config for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
