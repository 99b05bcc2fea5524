-- A provider's success report, applied in one statement: the delivery recorded once, the asset
-- rows inserted and the job completed (or failed, with its refund, when nothing usable was
-- stored). One statement instead of one round trip per step lets concurrent webhooks commit
-- together (shared/db/group_commit.ts).

create function public.complete_job_with_outputs(
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
  if _job.status = 'completed' then
    -- Completed by an earlier delivery or poll: its objects are the ones at these paths.
    return 'duplicate';
  end if;
  if _job.status <> 'processing' then
    -- Failed, cancelled or back in the queue: nothing references the caller's objects.
    return 'ignored';
  end if;
  if p_delivery is not null and not public.record_webhook_delivery(
    p_delivery ->> 'provider', p_delivery ->> 'delivery_id', p_delivery ->> 'payload_hash',
    p_delivery ->> 'event_type', p_job_id
  ) then
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
comment on function public.complete_job_with_outputs(uuid, jsonb, text, jsonb) is 'Applies a success report to a processing job in one transaction: records the delivery (p_delivery: provider, delivery_id, payload_hash, event_type; null for a poll), inserts one asset row per stored output (p_outputs: index, path, mime, size, width, height, duration_seconds) into the library or the workspace, and completes the job (failed with a refund when no output was stored). Returns completed, failed, duplicate (already completed, or the delivery was seen) or ignored (the job is not processing); only completed and failed change anything.';
revoke execute on function public.complete_job_with_outputs(uuid, jsonb, text, jsonb) from public, anon, authenticated;
grant execute on function public.complete_job_with_outputs(uuid, jsonb, text, jsonb) to service_role;
