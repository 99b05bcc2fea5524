-- complete_job_with_outputs: a success report applied once, in one statement (delivery record,
-- asset rows, completion and its partial refund); duplicates and jobs that are not processing
-- change nothing.
begin;
select plan(19);

select tests.create_supabase_user('co_user');
update public.profiles set token_balance = 10 where id = tests.get_supabase_uid('co_user');
update public.jobs set status = 'cancelled', completed_at = now() where status in ('queued', 'processing');

create temp table ids (name text primary key, id uuid);
-- Output paths start with the owner's id (the asset tables check it): 'u/' stands for it here.
create function pg_temp.outs(p text) returns jsonb language sql
  as $$ select replace(p, '"u/', '"' || tests.get_supabase_uid('co_user')::text || '/')::jsonb $$;
grant all on ids to service_role;

-- Two processing jobs: w (workspace, 2 outputs paid, seed in the provider input), l (library).
select public.enqueue_job(tests.get_supabase_uid('co_user'),
  '{"modality": "image", "prompt": "w", "num_outputs": 2}', 4, 'co-w', 'h', 10);
select public.enqueue_job(tests.get_supabase_uid('co_user'),
  '{"modality": "image", "prompt": "l", "destination": "library"}', 2, 'co-l', 'h', 10);
select public.enqueue_job(tests.get_supabase_uid('co_user'),
  '{"modality": "video", "prompt": "v", "destination": "library", "seed": 77}', 0, 'co-v', 'h', 10);
insert into ids select idempotency_key, id from public.jobs
where user_id = tests.get_supabase_uid('co_user') and idempotency_key in ('co-w', 'co-l', 'co-v');
select public.claim_due_jobs(10, 60);
select public.job_transition((select id from ids where name = 'co-w'), 'submitted',
  '{"prediction_id": "p-w", "input": {"prompt": "w", "seed": 1234}}');
select public.job_transition((select id from ids where name = 'co-l'), 'submitted', '{"prediction_id": "p-l"}');
select public.job_transition((select id from ids where name = 'co-v'), 'submitted', '{"prediction_id": "p-v", "input": {"prompt": "v"}}');

select is(public.complete_job_with_outputs((select id from ids where name = 'co-w'),
  pg_temp.outs('[{"index": 0, "path": "u/w/0.png", "mime": "image/png", "size": 100, "width": 64, "height": 48}]'),
  'model-a', '{"provider": "replicate", "delivery_id": "msg-1", "payload_hash": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "event_type": "succeeded"}'),
  'completed', 'a success report completes a processing job');
select is((select status from public.jobs where id = (select id from ids where name = 'co-w')), 'completed', 'the job is completed');
select is((select count(*)::int from public.workspace_assets where job_id = (select id from ids where name = 'co-w')),
  1, 'one workspace asset per stored output');
select is((select mime_type || ' ' || file_size_bytes || ' ' || width || 'x' || height || ' ' || generation_seed || ' ' || model_used
  from public.workspace_assets where job_id = (select id from ids where name = 'co-w')),
  'image/png 100 64x48 1234 model-a', 'the asset carries the output''s facts, the seed sent and the model');
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('co_user')), 6,
  'the output the provider did not deliver is refunded (10 - 4 - 2 + 2)');
select is((select count(*)::int from public.webhook_events where delivery_id = 'msg-1' and job_id = (select id from ids where name = 'co-w')),
  1, 'the delivery is recorded');

select is(public.complete_job_with_outputs((select id from ids where name = 'co-w'),
  pg_temp.outs('[{"index": 1, "path": "u/w/1.png", "mime": "image/png", "size": 100}]'), 'model-a',
  '{"provider": "replicate", "delivery_id": "msg-2", "payload_hash": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "event_type": "succeeded"}'),
  'duplicate', 'another report for a completed job is a duplicate');
select is((select count(*)::int from public.workspace_assets where job_id = (select id from ids where name = 'co-w')),
  1, 'and adds no asset');
select is((select count(*)::int from public.webhook_events where delivery_id = 'msg-2'), 0, 'nor a delivery record');
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('co_user')), 6, 'nor a second refund');

-- A delivery already seen (recorded by a running event) is a duplicate; the job stays as it is.
select public.record_webhook_delivery('replicate', 'msg-3', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'processing', (select id from ids where name = 'co-l'));
select is(public.complete_job_with_outputs((select id from ids where name = 'co-l'),
  pg_temp.outs('[{"index": 0, "path": "u/l/0.png", "mime": "image/png", "size": 5}]'), 'model-a',
  '{"provider": "replicate", "delivery_id": "msg-3", "payload_hash": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "event_type": "succeeded"}'),
  'duplicate', 'a delivery id seen before changes nothing');
select is((select status from public.jobs where id = (select id from ids where name = 'co-l')), 'processing', 'the job is still processing');

-- A poll (no delivery) with nothing stored fails the job with a full refund.
select is(public.complete_job_with_outputs((select id from ids where name = 'co-l'), '[]', 'model-a'),
  'failed', 'a success with no usable output fails the job');
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('co_user')), 8, 'and refunds it in full');
select is(public.complete_job_with_outputs((select id from ids where name = 'co-l'),
  pg_temp.outs('[{"index": 0, "path": "u/l/0.png", "mime": "image/png", "size": 5}]'), 'model-a'),
  'ignored', 'a failed job takes no outputs');
select is((select count(*)::int from public.user_library where source_job_id = (select id from ids where name = 'co-l')),
  0, 'and no library row appears');

-- A library output whose header claims impossible facts: stored, with those facts unknown.
select is(public.complete_job_with_outputs((select id from ids where name = 'co-v'),
  pg_temp.outs('[{"index": 0, "path": "u/v/0.mp4", "mime": "video/mp4", "size": 9, "width": 0, "height": 5000000000, "duration_seconds": 123456789}]'),
  'model-v'), 'completed', 'a header''s impossible width, height and duration do not fail the completion');
select is((select coalesce(width::text, 'null') || ' ' || coalesce(height::text, 'null') || ' ' || coalesce(duration_seconds::text, 'null')
  from public.user_library where source_job_id = (select id from ids where name = 'co-v')),
  'null null null', 'they are stored as unknown');
select is((select generation_seed from public.user_library where source_job_id = (select id from ids where name = 'co-v')),
  null, 'no seed is recorded when the provider was sent none (never invented)');

select * from finish();
rollback;
