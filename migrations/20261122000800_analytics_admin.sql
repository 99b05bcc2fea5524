-- Analytics and admin tables: per-model daily performance, model configuration history, model
-- test results, prompt A/B tests and the admin feature tracker. All admin-only. Model-keyed
-- tables reference api_models (the reference keyed them by an SDXL|WAN list that broke new models).

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.model_performance_logs (
  id uuid primary key default gen_random_uuid(),
  api_model_id uuid not null references public.api_models (id) on delete cascade,
  -- Snapshot of the model's family/key for reading old rows; free text.
  model_type text check (char_length(model_type) <= 200),
  date date not null,
  total_generations integer not null default 0 check (total_generations >= 0),
  successful_generations integer not null default 0 check (successful_generations >= 0),
  failed_generations integer not null default 0 check (failed_generations >= 0),
  cancelled_generations integer not null default 0 check (cancelled_generations >= 0),
  avg_generation_time_ms integer check (avg_generation_time_ms >= 0),
  avg_quality_rating numeric(4, 2) check (avg_quality_rating between 0 and 10),
  total_processing_time_ms bigint check (total_processing_time_ms >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint model_performance_logs_model_date_key unique (api_model_id, date),
  constraint model_performance_logs_counts check (
    successful_generations + failed_generations + cancelled_generations <= total_generations)
);
comment on table public.model_performance_logs is 'Daily rollup per model: generation counts by outcome, average time and quality.';
create index model_performance_logs_date_idx on public.model_performance_logs (date desc);

create table public.model_config_history (
  id uuid primary key default gen_random_uuid(),
  api_model_id uuid not null references public.api_models (id) on delete cascade,
  model_type text check (char_length(model_type) <= 200),
  config_name text not null check (char_length(config_name) between 1 and 100),
  config_data jsonb not null,
  is_active boolean not null default false,
  notes text,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now()
);
comment on table public.model_config_history is 'Versions of a model''s configuration (input defaults, capabilities, pricing) for audit and rollback.';
create index model_config_history_model_created_at_idx on public.model_config_history (api_model_id, created_at desc);
create index model_config_history_created_by_idx on public.model_config_history (created_by);

create table public.model_test_results (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references public.profiles (id) on delete set null,
  api_model_id uuid references public.api_models (id) on delete set null,
  model_type text check (char_length(model_type) <= 200),
  model_version text check (char_length(model_version) <= 200),
  prompt_text text not null check (char_length(prompt_text) <= 16000),
  success boolean not null default true,
  overall_quality integer check (overall_quality between 0 and 10),
  technical_quality integer check (technical_quality between 0 and 10),
  content_quality integer check (content_quality between 0 and 10),
  consistency integer check (consistency between 0 and 10),
  test_series text not null check (char_length(test_series) between 1 and 100),
  test_tier text not null check (test_tier in ('artistic', 'explicit', 'unrestricted')),
  test_category text check (char_length(test_category) <= 100),
  test_metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(test_metadata) = 'object'),
  job_id uuid references public.jobs (id) on delete set null,
  image_id uuid,
  video_id uuid,
  generation_time_ms integer check (generation_time_ms >= 0),
  file_size_bytes bigint check (file_size_bytes >= 0),
  notes text,
  enhancement_strategy varchar(50),
  original_prompt text,
  enhanced_prompt text,
  enhancement_time_ms integer check (enhancement_time_ms >= 0),
  quality_improvement numeric(5, 2),
  compel_weights jsonb,
  qwen_expansion_percentage numeric(7, 2),
  baseline_quality numeric(4, 2) check (baseline_quality between 0 and 10),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.model_test_results is 'Admin model evaluations: prompt, outcome, quality scores (0-10) and enhancement metrics per test series.';
create index model_test_results_model_created_at_idx on public.model_test_results (api_model_id, created_at desc);
create index model_test_results_user_id_idx on public.model_test_results (user_id);
create index model_test_results_job_id_idx on public.model_test_results (job_id);
create index model_test_results_test_series_idx on public.model_test_results (test_series);

create table public.prompt_ab_tests (
  id uuid primary key default gen_random_uuid(),
  test_name text not null check (char_length(test_name) between 1 and 100),
  test_series text not null check (char_length(test_series) between 1 and 100),
  baseline_config jsonb not null,
  enhanced_config jsonb not null,
  total_participants integer not null default 0 check (total_participants >= 0),
  baseline_avg_quality numeric(4, 2) check (baseline_avg_quality between 0 and 10),
  enhanced_avg_quality numeric(4, 2) check (enhanced_avg_quality between 0 and 10),
  quality_improvement numeric(5, 2),
  confidence_level numeric(3, 2) check (confidence_level between 0 and 1),
  is_complete boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint prompt_ab_tests_completed_at check (not is_complete or completed_at is not null)
);
comment on table public.prompt_ab_tests is 'Prompt A/B tests: baseline vs enhanced configuration, participants, average quality and confidence.';
create index prompt_ab_tests_test_series_idx on public.prompt_ab_tests (test_series);

create table public.admin_development_progress (
  id uuid primary key default gen_random_uuid(),
  feature_name text not null check (char_length(feature_name) between 1 and 100),
  feature_category text not null check (char_length(feature_category) between 1 and 50),
  status text not null default 'not_started' check (status in ('not_started', 'in_progress', 'completed', 'blocked')),
  priority text not null default 'P1' check (priority in ('P0', 'P1', 'P2')),
  assigned_to text check (char_length(assigned_to) <= 100),
  estimated_hours integer check (estimated_hours >= 0),
  actual_hours integer check (actual_hours >= 0),
  start_date date,
  completion_date date,
  notes text,
  blockers text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint admin_development_progress_dates check (completion_date is null or start_date is null or completion_date >= start_date)
);
comment on table public.admin_development_progress is 'Admin feature tracker: status, priority, estimates and blockers.';
create index admin_development_progress_status_idx on public.admin_development_progress (status, priority);

create trigger model_performance_logs_set_updated_at before update on public.model_performance_logs
  for each row execute function public.set_updated_at();
create trigger model_test_results_set_updated_at before update on public.model_test_results
  for each row execute function public.set_updated_at();
create trigger prompt_ab_tests_set_updated_at before update on public.prompt_ab_tests
  for each row execute function public.set_updated_at();
create trigger admin_development_progress_set_updated_at before update on public.admin_development_progress
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: admin-only (the policies decide); anon gets nothing
-- ---------------------------------------------------------------------------------------------
revoke all on public.model_performance_logs, public.model_config_history, public.model_test_results,
  public.prompt_ab_tests, public.admin_development_progress from anon, authenticated;
grant select, insert, update, delete on public.model_performance_logs, public.model_config_history,
  public.model_test_results, public.prompt_ab_tests, public.admin_development_progress to authenticated;

alter table public.model_performance_logs enable row level security;
alter table public.model_config_history enable row level security;
alter table public.model_test_results enable row level security;
alter table public.prompt_ab_tests enable row level security;
alter table public.admin_development_progress enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Policies: admins only
-- ---------------------------------------------------------------------------------------------
create policy model_performance_logs_select_admin on public.model_performance_logs for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy model_performance_logs_insert_admin on public.model_performance_logs for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy model_performance_logs_update_admin on public.model_performance_logs for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy model_performance_logs_delete_admin on public.model_performance_logs for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy model_config_history_select_admin on public.model_config_history for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy model_config_history_insert_admin on public.model_config_history for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy model_config_history_update_admin on public.model_config_history for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy model_config_history_delete_admin on public.model_config_history for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy model_test_results_select_admin on public.model_test_results for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy model_test_results_insert_admin on public.model_test_results for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy model_test_results_update_admin on public.model_test_results for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy model_test_results_delete_admin on public.model_test_results for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy prompt_ab_tests_select_admin on public.prompt_ab_tests for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy prompt_ab_tests_insert_admin on public.prompt_ab_tests for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy prompt_ab_tests_update_admin on public.prompt_ab_tests for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy prompt_ab_tests_delete_admin on public.prompt_ab_tests for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));

create policy admin_development_progress_select_admin on public.admin_development_progress for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
create policy admin_development_progress_insert_admin on public.admin_development_progress for insert to authenticated
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy admin_development_progress_update_admin on public.admin_development_progress for update to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')))
  with check ((select public.has_role((select auth.uid()), 'admin')));
create policy admin_development_progress_delete_admin on public.admin_development_progress for delete to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
