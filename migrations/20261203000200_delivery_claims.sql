-- Provider deliveries are claimed before any work, and only by the provider that signed them.
--
-- * A callback may touch only a job whose model belongs to the provider that signed it (and the
--   job named in the callback URL, when given): prediction ids are not unique across providers,
--   so an OpenRouter-signed report must never find a Replicate job.
-- * The delivery is claimed (webhook_events row, status 'received') before outputs are
--   downloaded: concurrent copies of one delivery see the claim and do nothing. A claim that was
--   released after a failure ('failed'), or left by a process that died (older than two minutes),
--   may be taken over by a redelivery.
-- * The job row is locked before the delivery is marked processed. The claim's foreign key took a
--   key-share lock on the job; taking it again in the opposite order next to job_transition's
--   FOR UPDATE made concurrent terminal callbacks deadlock.

create function public.claim_webhook_delivery(
  p_provider_id uuid,
  p_generation_id text,
  p_job_id uuid,
  p_delivery jsonb,
  p_state text
) returns table (claim text, job_id uuid)
language plpgsql
set search_path = ''
as $$
declare
  _job public.jobs;
  _needs_work boolean;
  _provider text := p_delivery ->> 'provider';
  _delivery_id text := p_delivery ->> 'delivery_id';
begin
  select j.* into _job
  from public.jobs j
  join public.api_models m on m.id = j.api_model_id
  where j.provider_prediction_id = p_generation_id and m.provider_id = p_provider_id
    and (p_job_id is null or j.id = p_job_id)
  limit 1
  -- The claim row references the job: hold it so a concurrent delete waits for this claim.
  for key share of j;
  if not found then
    return query select 'unknown'::text, null::uuid;
    return;
  end if;
  -- Only a terminal report for a job still running has work to do (outputs, refunds); the rest
  -- is recorded as processed at once.
  _needs_work := p_state in ('succeeded', 'failed', 'cancelled')
    and _job.status in ('queued', 'processing')
    and (p_state <> 'succeeded' or _job.status = 'processing');

  insert into public.webhook_events (provider, delivery_id, payload_hash, event_type, job_id, status, processed_at)
  values (_provider, _delivery_id, p_delivery ->> 'payload_hash', p_delivery ->> 'event_type', _job.id,
    case when _needs_work then 'received' else 'processed' end, case when _needs_work then null else now() end)
  on conflict (provider, delivery_id) do nothing;
  if found then
    return query select case
      when _needs_work then 'claimed'
      when _job.status in ('completed', 'failed', 'cancelled') then 'ignored'
      else 'noted' end, _job.id;
    return;
  end if;

  -- Seen before: taken over only when released after a failure, or abandoned by a dead process.
  update public.webhook_events e set status = 'received', received_at = now(), error_message = null,
    payload_hash = p_delivery ->> 'payload_hash'
  where e.provider = _provider and e.delivery_id = _delivery_id and _needs_work
    and (e.status = 'failed' or (e.status = 'received' and e.received_at < now() - interval '2 minutes'));
  return query select case when found then 'claimed' else 'duplicate' end, _job.id;
end
$$;
comment on function public.claim_webhook_delivery(uuid, text, uuid, jsonb, text) is 'Finds the job a verified delivery is about (a job on a model of the signing provider, with that prediction id, and p_job_id when given) and claims the delivery (p_delivery: provider, delivery_id, payload_hash, event_type) before any work. claim: claimed (do the work, then finish_webhook_delivery), noted / ignored (recorded, nothing to do: the report is not terminal / the job already is), duplicate (seen, or being handled), unknown (no such job for this provider).';
revoke execute on function public.claim_webhook_delivery(uuid, text, uuid, jsonb, text) from public, anon, authenticated;
grant execute on function public.claim_webhook_delivery(uuid, text, uuid, jsonb, text) to service_role;

create function public.finish_webhook_delivery(p_delivery jsonb, p_job_id uuid, p_record_new boolean)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  update public.webhook_events e set status = 'processed', processed_at = now()
  where e.provider = p_delivery ->> 'provider' and e.delivery_id = p_delivery ->> 'delivery_id'
    and e.status = 'received';
  if found or not p_record_new then
    return found;
  end if;
  -- A delivery applied without a claim (a caller that needs no claim, such as a test) is
  -- recorded now, once.
  insert into public.webhook_events (provider, delivery_id, payload_hash, event_type, job_id, status, processed_at)
  values (p_delivery ->> 'provider', p_delivery ->> 'delivery_id', p_delivery ->> 'payload_hash',
    p_delivery ->> 'event_type', p_job_id, 'processed', now())
  on conflict (provider, delivery_id) do nothing;
  return found;
end
$$;
comment on function public.finish_webhook_delivery(jsonb, uuid, boolean) is 'Marks a claimed delivery (p_delivery: provider, delivery_id, payload_hash, event_type) processed; with p_record_new, a delivery never seen is recorded as processed. False when it was already processed (or, without p_record_new, not claimed): the caller treats it as a duplicate.';
revoke execute on function public.finish_webhook_delivery(jsonb, uuid, boolean) from public, anon, authenticated;
grant execute on function public.finish_webhook_delivery(jsonb, uuid, boolean) to service_role;

create function public.release_webhook_delivery(p_provider text, p_delivery_id text, p_error text)
returns void
language sql
set search_path = ''
as $$
  update public.webhook_events e set status = 'failed', error_message = left(p_error, 4000)
  where e.provider = p_provider and e.delivery_id = p_delivery_id and e.status = 'received'
$$;
comment on function public.release_webhook_delivery(text, text, text) is 'Gives up a claim after a failure, so the provider''s redelivery can take it over.';
revoke execute on function public.release_webhook_delivery(text, text, text) from public, anon, authenticated;
grant execute on function public.release_webhook_delivery(text, text, text) to service_role;

-- A failure or cancel report: job row first, then the delivery, then the transition (and refund).
create function public.end_job_from_report(p_job_id uuid, p_event text, p_data jsonb, p_delivery jsonb default null)
returns text
language plpgsql
set search_path = ''
as $$
declare
  _applied boolean;
begin
  if p_event not in ('fail', 'cancel') then
    raise exception 'end_job_from_report takes fail or cancel, not %', p_event using errcode = '22023';
  end if;
  perform 1 from public.jobs j where j.id = p_job_id for update;
  if not found then
    return 'ignored';
  end if;
  if p_delivery is not null and not public.finish_webhook_delivery(p_delivery, p_job_id, true) then
    return 'duplicate';
  end if;
  select t.applied into _applied from public.job_transition(p_job_id, p_event, p_data) t;
  return case when not _applied then 'ignored' when p_event = 'fail' then 'failed' else 'cancelled' end;
end
$$;
comment on function public.end_job_from_report(uuid, text, jsonb, jsonb) is 'Applies a provider''s failure or cancel report: locks the job, marks the claimed delivery processed (duplicate when it was already processed), then job_transition (fail | cancel, with its refund). Returns failed, cancelled, duplicate or ignored (the job already ended).';
revoke execute on function public.end_job_from_report(uuid, text, jsonb, jsonb) from public, anon, authenticated;
grant execute on function public.end_job_from_report(uuid, text, jsonb, jsonb) to service_role;

-- complete_job_with_outputs now finishes a claimed delivery instead of recording a new one, and
-- does so whatever the job's state, so a claim never lingers.
create or replace function public.complete_job_with_outputs(
  p_job_id uuid,
  p_outputs jsonb,
  p_model_used text,
  p_delivery jsonb default null
) returns text
language plpgsql
set search_path = ''
as $$
declare
  _job public.jobs;
  _stored integer := coalesce(jsonb_array_length(p_outputs), 0);
  _status text;
  _seed bigint;
  _outputs jsonb;
begin
  -- The row lock orders this against every other change to the job (job_transition takes it too).
  select * into _job from public.jobs j where j.id = p_job_id for update;
  if not found then
    return 'ignored';
  end if;
  if _job.status <> 'processing' then
    -- A claim taken for this report is settled; nothing else is recorded.
    if p_delivery is not null then
      perform public.finish_webhook_delivery(p_delivery, p_job_id, false);
    end if;
    -- Completed by an earlier delivery or poll: its objects are the ones at these paths. Failed,
    -- cancelled or back in the queue: nothing references the caller's objects.
    return case when _job.status = 'completed' then 'duplicate' else 'ignored' end;
  end if;
  if p_delivery is not null and not public.finish_webhook_delivery(p_delivery, p_job_id, true) then
    return 'duplicate';
  end if;

  -- The seed the provider was sent, if any (never invented).
  _seed := case when jsonb_typeof(_job.input -> 'seed') = 'number' and (_job.input ->> 'seed') ~ '^-?[0-9]{1,18}$'
    then (_job.input ->> 'seed')::bigint end;
  -- Facts measured from a file's header are kept only when the columns can hold them (a header
  -- may claim anything): an impossible value becomes unknown rather than fail the completion.
  select coalesce(jsonb_agg(jsonb_build_object(
    'index', (o ->> 'index')::integer, 'path', o ->> 'path', 'mime', o ->> 'mime', 'size', (o ->> 'size')::bigint,
    'width', case when (o ->> 'width')::numeric between 1 and 2147483647 then (o ->> 'width')::integer end,
    'height', case when (o ->> 'height')::numeric between 1 and 2147483647 then (o ->> 'height')::integer end,
    'duration_seconds', case when (o ->> 'duration_seconds')::numeric >= 0 and (o ->> 'duration_seconds')::numeric < 10000000
      then round((o ->> 'duration_seconds')::numeric, 3) end)), '[]'::jsonb)
  into _outputs
  from jsonb_array_elements(p_outputs) o;

  if _job.destination = 'library' then
    insert into public.user_library (user_id, asset_type, file_size_bytes, mime_type, duration_seconds, width,
      height, generation_seed, original_prompt, model_used, asset_index, storage_path, source_job_id,
      generation_metadata)
    select _job.user_id, _job.modality, (o ->> 'size')::bigint, o ->> 'mime', (o ->> 'duration_seconds')::numeric,
      (o ->> 'width')::integer, (o ->> 'height')::integer, _seed, coalesce(_job.original_prompt, _job.prompt),
      p_model_used, (o ->> 'index')::integer, o ->> 'path', _job.id,
      jsonb_build_object('job_id', _job.id, 'quality', _job.quality)
    from jsonb_array_elements(_outputs) o
    on conflict (source_job_id, asset_index) do nothing;
  else
    insert into public.workspace_assets (user_id, asset_type, file_size_bytes, mime_type, duration_seconds, width,
      height, generation_seed, original_prompt, model_used, asset_index, temp_storage_path, job_id,
      generation_settings)
    select _job.user_id, _job.modality, (o ->> 'size')::bigint, o ->> 'mime', (o ->> 'duration_seconds')::numeric,
      (o ->> 'width')::integer, (o ->> 'height')::integer, _seed, coalesce(_job.original_prompt, _job.prompt),
      p_model_used, (o ->> 'index')::integer, o ->> 'path', _job.id,
      jsonb_build_object('quality', _job.quality, 'width', _job.width, 'height', _job.height)
    from jsonb_array_elements(_outputs) o
    on conflict (job_id, asset_index) do nothing;
  end if;

  select t.status into _status
  from public.job_transition(p_job_id, 'complete', jsonb_build_object('outputs_stored', _stored)) t;
  return _status;
end
$$;
comment on function public.complete_job_with_outputs(uuid, jsonb, text, jsonb) is 'Applies a success report to a processing job in one transaction: marks the claimed delivery processed, or records an unclaimed one (p_delivery: provider, delivery_id, payload_hash, event_type; null for a poll), inserts one asset row per stored output (p_outputs: index, path, mime, size, width, height, duration_seconds) into the library or the workspace, and completes the job (failed with a refund when no output was stored). Returns completed, failed, duplicate (already completed, or the delivery was already processed) or ignored (the job is not processing); only completed and failed change anything.';
