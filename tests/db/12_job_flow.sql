-- Job flow: charge + insert atomically, idempotency, the per-user cap, the state machine
-- (illegal transitions change nothing), exactly-once refunds, fair claiming.
begin;
select plan(33);

select tests.create_supabase_user('jf_user');
select tests.create_supabase_user('jf_other');
select tests.create_supabase_user('jf_third');
select tests.create_supabase_user('jf_fourth');
update public.profiles set token_balance = 10 where id = tests.get_supabase_uid('jf_user');
update public.profiles set token_balance = 10 where id = tests.get_supabase_uid('jf_other');
update public.jobs set status = 'cancelled', completed_at = now() where status in ('queued', 'processing');

create temp table ids (name text primary key, id uuid);
grant all on ids to service_role;

-- --- enqueue ---------------------------------------------------------------------------------
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('jf_user'),
  '{"modality": "image", "prompt": "a", "num_outputs": 2}', 4, 'key-1', 'hash-1', 10)), 'created', 'a job is created');
insert into ids select 'a', id from public.jobs where user_id = tests.get_supabase_uid('jf_user') and idempotency_key = 'key-1';
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('jf_user')), 6, 'the price is charged');
select is((select credits_consumed::int from public.usage_logs where job_id = (select id from ids where name = 'a') and kind = 'charge'),
  4, 'the charge is in the ledger with the job');
select is((select outcome || ':' || (job_id = (select id from ids where name = 'a'))::text from public.enqueue_job(
  tests.get_supabase_uid('jf_user'), '{"modality": "image", "prompt": "a"}', 4, 'key-1', 'hash-1', 10)),
  'replayed:true', 'the same key and body replays the first job');
select is((select (job ->> 'id')::uuid from public.enqueue_job(tests.get_supabase_uid('jf_user'),
  '{"modality": "image", "prompt": "a"}', 4, 'key-1', 'hash-1', 10)), (select id from ids where name = 'a'),
  'a replay answers with the stored job');
select is((select job from public.enqueue_job(tests.get_supabase_uid('jf_user'),
  '{"modality": "image", "prompt": "b"}', 4, 'key-1', 'hash-2', 10)), null, 'a conflict answers with no job');
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('jf_user'),
  '{"modality": "image", "prompt": "b"}', 4, 'key-1', 'hash-2', 10)), 'idempotency_conflict', 'the same key with another body conflicts');
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('jf_user'),
  '{"modality": "image", "prompt": "c"}', 7, 'key-2', 'hash-3', 10)), 'insufficient_credits', 'a job the user cannot afford is refused');
select is((select count(*)::int from public.jobs where user_id = tests.get_supabase_uid('jf_user') and idempotency_key = 'key-2'),
  0, 'and nothing is stored, so the key stays usable');
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('jf_user')), 6, 'balances are unchanged by refusals');
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('jf_user'),
  '{"modality": "image", "prompt": "d"}', 1, null, null, 1)), 'too_many_active', 'the per-user cap on active jobs applies');
select is((select to_jsonb(j) from public.jobs j where j.id = (select id from ids where name = 'a')),
  (select job from public.enqueue_job(tests.get_supabase_uid('jf_user'), '{"modality": "image", "prompt": "a"}', 4, 'key-1', 'hash-1', 10)),
  'the job answered is the row as stored');
select throws_ok($$select * from public.enqueue_job(tests.get_supabase_uid('jf_user'), '{"modality": "image", "prompt": "e"}', -1)$$,
  '22023', null, 'a negative price is an error');

-- --- state machine ---------------------------------------------------------------------------
select is((select applied from public.job_transition((select id from ids where name = 'a'), 'submitted', '{"prediction_id": "p1"}')),
  false, 'an unleased job cannot be marked submitted');
select is((select count(*)::int from public.claim_due_jobs(10, 60)), 1, 'the due job is claimed');
select is((select count(*)::int from public.claim_due_jobs(10, 60)), 0, 'a leased job is not claimed twice');
select is((select status from public.job_transition((select id from ids where name = 'a'), 'submitted', '{"prediction_id": "p1"}')),
  'processing', 'a leased job moves to processing on submission');
select is((select provider_prediction_id || ':' || attempts from public.jobs where id = (select id from ids where name = 'a')),
  'p1:1', 'the prediction id is recorded and the attempt counted');
select is((select applied from public.job_transition((select id from ids where name = 'a'), 'submitted', '{}')),
  false, 'a processing job is not submitted again');
select is((select status || ':' || refunded from public.job_transition((select id from ids where name = 'a'), 'complete', '{"outputs_stored": 1}')),
  'completed:2', 'a partial success completes and refunds the missing output');
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('jf_user')), 8, 'the refund is credited');
select is((select applied from public.job_transition((select id from ids where name = 'a'), 'fail', '{}')),
  false, 'a terminal job never changes');
select is((select applied from public.job_transition((select id from ids where name = 'a'), 'cancel', '{}')),
  false, 'not even to cancelled');
select is((select count(*)::int from public.usage_logs where job_id = (select id from ids where name = 'a') and kind = 'refund'),
  1, 'one refund row per job');

-- a job that fails after a retry is refunded once, however often it is failed
select public.enqueue_job(tests.get_supabase_uid('jf_user'), '{"modality": "image", "prompt": "f", "max_attempts": 2}', 3, 'key-f', 'h', 10);
insert into ids select 'f', id from public.jobs where user_id = tests.get_supabase_uid('jf_user') and idempotency_key = 'key-f';
select public.claim_due_jobs(10, 60);
select is((select status from public.job_transition((select id from ids where name = 'f'), 'retry', '{"delay_ms": 0}')),
  'queued', 'a retryable submit failure goes back to the queue');
select public.claim_due_jobs(10, 60);
select is((select status || ':' || refunded from public.job_transition((select id from ids where name = 'f'), 'retry', '{}')),
  'failed:3', 'the last attempt fails the job with a full refund');
select is((select refunded from public.job_transition((select id from ids where name = 'f'), 'fail', '{}')), 0, 'never twice');
select is((select token_balance from public.profiles where id = tests.get_supabase_uid('jf_user')), 8, 'the balance is whole again');

-- --- fairness --------------------------------------------------------------------------------
select public.enqueue_job(tests.get_supabase_uid('jf_user'), '{"modality": "image", "prompt": "burst"}', 0, null, null, 10)
from generate_series(1, 5);
select public.enqueue_job(tests.get_supabase_uid('jf_other'), '{"modality": "image", "prompt": "single"}', 0, null, null, 10);
select ok((select bool_or(user_id = tests.get_supabase_uid('jf_other')) from public.claim_due_jobs(2, 60)),
  'another user''s single job is claimed in the same round as the first of a burst');

-- more users waiting than a claim takes: each user's first turn, one job per user
update public.jobs set status = 'cancelled', completed_at = now() where status in ('queued', 'processing');
select public.enqueue_job(tests.get_supabase_uid(u), '{"modality": "image", "prompt": "many"}', 0, null, null, 10)
from unnest(array['jf_user', 'jf_user', 'jf_user', 'jf_other', 'jf_other', 'jf_third']) u;
create temp table first_claim as select user_id from public.claim_due_jobs(2, 60);
select is((select count(distinct user_id)::int from first_claim), 2,
  'with 3 users waiting, a claim of 2 takes 2 different users'' jobs');
select is((select count(*)::int from public.claim_due_jobs(10, 60)), 4, 'and the next claim takes all the rest');

-- users whose jobs are backing off do not shrink what a claim takes from the others
update public.jobs set status = 'cancelled', completed_at = now() where status in ('queued', 'processing');
select public.enqueue_job(tests.get_supabase_uid(u), '{"modality": "image", "prompt": "later"}', 0, null, null, 10)
from unnest(array['jf_user', 'jf_other', 'jf_fourth']) u;
update public.jobs set next_attempt_at = now() + interval '1 hour' where status = 'queued';
select public.enqueue_job(tests.get_supabase_uid('jf_third'), '{"modality": "image", "prompt": "now"}', 0, null, null, 10)
from generate_series(1, 3);
select is((select count(*)::int from public.claim_due_jobs(2, 60)), 2,
  'a claim of 2 takes 2 of the one ready user''s jobs while 3 other users wait for later');

-- --- privileges ------------------------------------------------------------------------------
select tests.authenticate_as('jf_user');
select throws_ok($$select * from public.enqueue_job(auth.uid(), '{"modality": "image", "prompt": "x"}', 0)$$, '42501', null,
  'a user cannot call enqueue_job directly (no free jobs)');
select tests.clear_authentication();

select * from finish();
rollback;
