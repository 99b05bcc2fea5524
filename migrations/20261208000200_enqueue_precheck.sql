-- What enqueue_job would answer, read without locks: queue-job asks before it spends a provider
-- call on enhancing a prompt (`enhance: true`), so an idempotent replay, a reused key, a full
-- queue, a balance too small or a missing profile costs no enhancement and no enhancement
-- budget. enqueue_job still decides, under its lock: this is only the cheap early answer.
create function public.enqueue_precheck(
  p_user_id uuid,
  p_cost integer,
  p_idempotency_key text default null,
  p_request_hash text default null
) returns text
language sql
stable
set search_path = ''
as $$
  with config as (
    select coalesce((select c.config from public.system_config c where c.id = 1), '{}'::jsonb) as c
  )
  select case
    when p.id is null then 'no_profile'
    when k.id is not null then
      case when k.request_hash = p_request_hash then 'replayed' else 'idempotency_conflict' end
    when (select count(*) from public.jobs j
          where j.user_id = p_user_id and j.status in ('queued', 'processing'))
      >= public.setting_integer(config.c, 'max_active_jobs_per_user', 10) then 'too_many_active'
    when p.token_balance < p_cost then 'insufficient_credits'
    else 'proceed'
  end
  from config
  left join public.profiles p on p.id = p_user_id
  left join lateral (
    select j.id, j.request_hash from public.jobs j
    where p_idempotency_key is not null and j.user_id = p_user_id
      and j.idempotency_key = p_idempotency_key
      and j.created_at >= now() - make_interval(
        hours => public.setting_integer(config.c, 'idempotency_ttl_hours', 24))
  ) k on true
$$;
comment on function public.enqueue_precheck(uuid, integer, text, text) is 'The outcome enqueue_job would most likely give (proceed, replayed, idempotency_conflict, too_many_active, insufficient_credits, no_profile), read without locks; queue-job asks before enhancing a prompt. enqueue_job remains the authority.';
revoke execute on function public.enqueue_precheck(uuid, integer, text, text) from public, anon, authenticated;
grant execute on function public.enqueue_precheck(uuid, integer, text, text) to service_role;
