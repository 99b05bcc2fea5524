-- Generation jobs and their bookkeeping: the credit ledger (usage_logs), provider call logs
-- (api_usage_logs) and webhook deliveries (webhook_events). Users read their own jobs, ledger
-- entries and provider calls but never write them: the job-flow SQL functions and the service
-- path do (DESIGN.md section 8).

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  -- queued -> processing -> completed | failed | cancelled; terminal states never change.
  status text not null default 'queued'
    check (status in ('queued', 'processing', 'completed', 'failed', 'cancelled')),
  modality text not null check (modality in ('image', 'video')),
  quality text not null default 'fast' check (quality in ('fast', 'high')),
  content_mode text not null default 'sfw' check (content_mode in ('sfw', 'nsfw')),
  destination text not null default 'workspace' check (destination in ('workspace', 'library')),
  -- The model the job runs on (the fallback model once switched); kept as null if the model goes.
  api_model_id uuid references public.api_models (id) on delete set null,
  -- The reference frontend's job type (e.g. 'sdxl_image_fast'), as sent; free text, never a list.
  job_type text check (char_length(job_type) <= 100),
  -- Legacy descriptive columns of the reference schema, free text (no model lists).
  model_type text check (char_length(model_type) <= 100),
  format text check (format in ('image', 'video')),
  -- Prompts: as typed, after enhancement, and the one actually sent.
  original_prompt text check (char_length(original_prompt) <= 8000),
  enhanced_prompt text check (char_length(enhanced_prompt) <= 16000),
  prompt text not null check (char_length(prompt) between 1 and 16000),
  negative_prompt text check (char_length(negative_prompt) <= 8000),
  num_outputs integer not null default 1 check (num_outputs between 1 and 16),
  -- Chosen by the server and sent when the model takes one; never invented otherwise.
  seed bigint,
  width integer check (width between 1 and 8192),
  height integer check (height between 1 and 8192),
  aspect_ratio text check (aspect_ratio ~ '^[0-9]{1,2}:[0-9]{1,2}$'),
  duration_seconds integer check (duration_seconds between 1 and 600),
  -- Path in the caller's reference_images folder for image-to-image/video.
  reference_image_path text check (char_length(reference_image_path) <= 1024),
  -- Price locked at enqueue, in credits.
  cost_credits integer not null default 0 check (cost_credits >= 0),
  -- Retry/outbox bookkeeping for the dispatcher.
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 20),
  next_attempt_at timestamptz not null default now(),
  lease_expires_at timestamptz,
  deadline_at timestamptz,
  provider_prediction_id text check (char_length(provider_prediction_id) <= 200),
  -- Idempotency-Key header and the hash of the request it was first used with.
  idempotency_key text check (char_length(idempotency_key) between 1 and 255),
  request_hash text check (char_length(request_hash) <= 128),
  error_code text check (char_length(error_code) <= 100),
  error_message text check (char_length(error_message) <= 4000),
  -- Client-supplied data: stored, returned, never acted on.
  metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  -- The provider input actually sent (after defaults, mapping and filtering).
  input jsonb check (jsonb_typeof(input) = 'object'),
  project_id uuid references public.projects (id) on delete set null,
  workspace_session_id uuid,
  template_name text check (char_length(template_name) <= 200),
  enhancement_strategy varchar(50),
  enhancement_time_ms integer check (enhancement_time_ms >= 0),
  compel_weights jsonb,
  qwen_expansion_percentage numeric(7, 2),
  quality_rating numeric(7, 2),
  quality_improvement numeric(7, 2),
  video_id uuid,
  image_id uuid,
  prompt_test_id uuid,
  test_metadata jsonb,
  moderation_status text not null default 'pending'
    check (moderation_status in ('pending', 'approved', 'rejected', 'flagged')),
  reviewed_at timestamptz,
  reviewed_by uuid references public.profiles (id) on delete set null,
  review_notes text check (char_length(review_notes) <= 4000),
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint jobs_user_idempotency_key unique (user_id, idempotency_key),
  constraint jobs_idempotency_pair check ((idempotency_key is null) = (request_hash is null)),
  constraint jobs_terminal_completed_at check (
    status in ('queued', 'processing') or completed_at is not null)
);
comment on table public.jobs is 'Image/video generation jobs and their own outbox: status, model, prompts, locked price, retry/lease/deadline bookkeeping and the provider prediction id. Users read their own; only the job-flow functions and the service path write.';
comment on column public.jobs.metadata is 'Client-supplied metadata: stored and returned, never drives a side effect.';
-- Hot queries: a user's jobs by status/recency; the dispatcher's due queued jobs; the reaper's
-- deadlines; webhook lookup by prediction id.
create index jobs_user_status_created_at_idx on public.jobs (user_id, status, created_at desc);
create index jobs_user_created_at_idx on public.jobs (user_id, created_at desc);
create index jobs_queued_due_idx on public.jobs (next_attempt_at, user_id) where status = 'queued';
create index jobs_active_updated_at_idx on public.jobs (status, updated_at) where status in ('queued', 'processing');
create index jobs_deadline_idx on public.jobs (deadline_at) where status in ('queued', 'processing');
create index jobs_provider_prediction_id_idx on public.jobs (provider_prediction_id) where provider_prediction_id is not null;
create index jobs_api_model_id_idx on public.jobs (api_model_id);
create index jobs_project_id_idx on public.jobs (project_id);
create index jobs_reviewed_by_idx on public.jobs (reviewed_by);

create table public.usage_logs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  job_id uuid references public.jobs (id) on delete set null,
  kind text not null check (kind in ('charge', 'refund', 'grant', 'adjustment')),
  action text not null check (char_length(action) between 1 and 100),
  -- Credits taken from the balance by this entry: positive for a charge, negative for a refund
  -- or grant, either sign for an adjustment. token_balance moved by exactly -credits_consumed.
  credits_consumed numeric(10, 2) not null,
  balance_after integer check (balance_after >= 0),
  format text check (format in ('image', 'video', 'chat')),
  quality text check (quality in ('fast', 'high')),
  metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  constraint usage_logs_sign check (
    (kind = 'charge' and credits_consumed >= 0)
    or (kind in ('refund', 'grant') and credits_consumed <= 0)
    or kind = 'adjustment')
);
comment on table public.usage_logs is 'Credit ledger: one row per charge, refund, grant or adjustment, written by the SQL functions that move profiles.token_balance; at most one charge and one refund per job.';
create unique index usage_logs_job_kind_key on public.usage_logs (job_id, kind) where job_id is not null;
create index usage_logs_user_created_at_idx on public.usage_logs (user_id, created_at desc);
create index usage_logs_job_id_idx on public.usage_logs (job_id);

create table public.api_usage_logs (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid references public.api_providers (id) on delete set null,
  model_id uuid references public.api_models (id) on delete set null,
  -- Kept (as null) when the user goes, so provider spend stays accountable.
  user_id uuid references public.profiles (id) on delete set null,
  job_id uuid references public.jobs (id) on delete set null,
  request_type text not null check (request_type in ('image', 'video', 'chat', 'enhancement', 'moderation', 'other')),
  endpoint_path text check (char_length(endpoint_path) <= 500),
  -- The provider's id for the call (prediction id, generation id).
  provider_request_id text check (char_length(provider_request_id) <= 200),
  -- Redacted request/response summaries (no secrets; no NSFW prompt text).
  request_payload jsonb,
  response_payload jsonb,
  tokens_input integer check (tokens_input >= 0),
  tokens_output integer check (tokens_output >= 0),
  tokens_total integer check (tokens_total >= 0),
  -- Estimated at submit, actual back-filled from the provider on completion.
  cost_usd_estimated numeric(12, 6) check (cost_usd_estimated >= 0),
  cost_usd_actual numeric(12, 6) check (cost_usd_actual >= 0),
  cost_credits integer check (cost_credits >= 0),
  response_status integer check (response_status between 100 and 599),
  response_time_ms integer not null default 0 check (response_time_ms >= 0),
  error_message text check (char_length(error_message) <= 4000),
  provider_metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(provider_metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.api_usage_logs is 'One row per provider API call: provider, model, user, job, tokens, estimated and actual cost, status and latency. Written on the service path; users read their own.';
create index api_usage_logs_user_created_at_idx on public.api_usage_logs (user_id, created_at desc);
create index api_usage_logs_provider_created_at_idx on public.api_usage_logs (provider_id, created_at desc);
create index api_usage_logs_model_id_idx on public.api_usage_logs (model_id);
create index api_usage_logs_job_id_idx on public.api_usage_logs (job_id);
create index api_usage_logs_provider_request_id_idx on public.api_usage_logs (provider_request_id)
  where provider_request_id is not null;
create index api_usage_logs_created_at_idx on public.api_usage_logs (created_at);

create table public.webhook_events (
  id uuid primary key default gen_random_uuid(),
  -- api_providers.name of the sender (kept as text so the record outlives the provider row).
  provider text not null check (char_length(provider) between 1 and 64),
  -- The sender's delivery id (Replicate `webhook-id`), identical on retries.
  delivery_id text not null check (char_length(delivery_id) between 1 and 255),
  event_type text check (char_length(event_type) <= 100),
  job_id uuid references public.jobs (id) on delete set null,
  status text not null default 'received' check (status in ('received', 'processed', 'ignored', 'failed')),
  -- sha256 hex of the raw body: a redelivery with another body is visible.
  payload_hash text not null check (payload_hash ~ '^[0-9a-f]{64}$'),
  error_message text check (char_length(error_message) <= 4000),
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  constraint webhook_events_provider_delivery_key unique (provider, delivery_id)
);
comment on table public.webhook_events is 'Every verified provider webhook delivery, recorded once by (provider, delivery id) so duplicates are acknowledged without effect. Service path only; admins read.';
create index webhook_events_job_id_idx on public.webhook_events (job_id);
create index webhook_events_received_at_idx on public.webhook_events (received_at);

create trigger jobs_set_updated_at before update on public.jobs
  for each row execute function public.set_updated_at();
create trigger api_usage_logs_set_updated_at before update on public.api_usage_logs
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: users read; nobody but service_role (and the definer functions) writes
-- ---------------------------------------------------------------------------------------------
revoke all on public.jobs, public.usage_logs, public.api_usage_logs, public.webhook_events
  from anon, authenticated;
grant select on public.jobs, public.usage_logs, public.api_usage_logs, public.webhook_events
  to authenticated;

alter table public.jobs enable row level security;
alter table public.usage_logs enable row level security;
alter table public.api_usage_logs enable row level security;
alter table public.webhook_events enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Policies: read own (or all as admin); no write policies for authenticated
-- ---------------------------------------------------------------------------------------------
create policy jobs_select_own_or_admin on public.jobs for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy usage_logs_select_own_or_admin on public.usage_logs for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy api_usage_logs_select_own_or_admin on public.api_usage_logs for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy webhook_events_select_admin on public.webhook_events for select to authenticated
  using ((select public.has_role((select auth.uid()), 'admin')));
