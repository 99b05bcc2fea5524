-- Jobs, the credit ledger (usage_logs), api_usage_logs and webhook_events: users read their
-- own rows and write none; the service role writes; CHECKs and unique keys hold.
begin;
select plan(39);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
select tests.create_supabase_user('admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('admin'), 'admin');

insert into public.jobs (id, user_id, modality, prompt, job_type, idempotency_key, request_hash)
values ('33333333-0000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'image', 'a cat', 'sdxl_image_fast', 'key-1', 'hash-1'),
       ('33333333-0000-4000-8000-00000000000b', tests.get_supabase_uid('bob'), 'video', 'a dog', null, 'key-1', 'hash-1');
insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed)
values (tests.get_supabase_uid('alice'), '33333333-0000-4000-8000-00000000000a', 'charge', 'job.charge', 2),
       (tests.get_supabase_uid('bob'), '33333333-0000-4000-8000-00000000000b', 'charge', 'job.charge', 10);
insert into public.api_usage_logs (user_id, job_id, request_type, response_status, response_time_ms)
values (tests.get_supabase_uid('alice'), '33333333-0000-4000-8000-00000000000a', 'image', 201, 120),
       (tests.get_supabase_uid('bob'), '33333333-0000-4000-8000-00000000000b', 'video', 201, 90);
insert into public.webhook_events (provider, delivery_id, job_id, payload_hash)
values ('replicate', 'msg_1', '33333333-0000-4000-8000-00000000000a', repeat('a', 64));

-- --- Alice (owner) ---------------------------------------------------------------------------
select tests.authenticate_as('alice');
select results_eq(
  $$select id from public.jobs$$, array['33333333-0000-4000-8000-00000000000a'::uuid],
  'A user sees only their own jobs'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt) values (tests.get_supabase_uid('alice'), 'image', 'free job')$$,
  '42501', 'permission denied for table jobs', 'A user cannot insert jobs directly'
);
select throws_ok(
  $$update public.jobs set status = 'completed', completed_at = now() where id = '33333333-0000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table jobs', 'A user cannot change their job''s status'
);
select throws_ok(
  $$update public.jobs set metadata = '{"destination": "x"}' where id = '33333333-0000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table jobs', 'A user cannot change their job''s metadata'
);
select throws_ok(
  $$delete from public.jobs where id = '33333333-0000-4000-8000-00000000000a'$$,
  '42501', 'permission denied for table jobs', 'A user cannot delete jobs'
);
select results_eq(
  $$select credits_consumed from public.usage_logs$$, array[2::numeric(10, 2)],
  'A user sees only their own ledger entries'
);
select throws_ok(
  $$insert into public.usage_logs (user_id, kind, action, credits_consumed) values (tests.get_supabase_uid('alice'), 'grant', 'free', -1000)$$,
  '42501', 'permission denied for table usage_logs', 'A user cannot write ledger entries'
);
select throws_ok(
  $$update public.usage_logs set credits_consumed = 0$$,
  '42501', 'permission denied for table usage_logs', 'A user cannot change ledger entries'
);
select throws_ok(
  $$delete from public.usage_logs$$,
  '42501', 'permission denied for table usage_logs', 'A user cannot delete ledger entries'
);
select results_eq(
  $$select request_type from public.api_usage_logs$$, array['image'],
  'A user sees only their own provider calls'
);
select throws_ok(
  $$insert into public.api_usage_logs (user_id, request_type) values (tests.get_supabase_uid('alice'), 'chat')$$,
  '42501', 'permission denied for table api_usage_logs', 'A user cannot write provider call logs'
);
select throws_ok(
  $$update public.api_usage_logs set cost_usd_actual = 0$$,
  '42501', 'permission denied for table api_usage_logs', 'A user cannot change provider call logs'
);
select throws_ok(
  $$delete from public.api_usage_logs$$,
  '42501', 'permission denied for table api_usage_logs', 'A user cannot delete provider call logs'
);
select is_empty($$select id from public.webhook_events$$, 'A user sees no webhook events');
select throws_ok(
  $$insert into public.webhook_events (provider, delivery_id, payload_hash) values ('replicate', 'forged', repeat('b', 64))$$,
  '42501', 'permission denied for table webhook_events', 'A user cannot record webhook events'
);
select throws_ok(
  $$update public.webhook_events set status = 'ignored'$$,
  '42501', 'permission denied for table webhook_events', 'A user cannot change webhook events'
);
select throws_ok(
  $$delete from public.webhook_events$$,
  '42501', 'permission denied for table webhook_events', 'A user cannot delete webhook events'
);

-- --- Admin -----------------------------------------------------------------------------------
select tests.authenticate_as('admin');
select is((select count(*) from public.jobs), 2::bigint, 'An admin sees every job');
select is((select count(*) from public.usage_logs), 2::bigint, 'An admin sees every ledger entry');
select is((select count(*) from public.api_usage_logs), 2::bigint, 'An admin sees every provider call');
select is((select count(*) from public.webhook_events), 1::bigint, 'An admin sees webhook events');
select throws_ok(
  $$update public.jobs set status = 'cancelled', completed_at = now()$$,
  '42501', 'permission denied for table jobs', 'An admin cannot write jobs through the API either'
);

-- --- Anon ------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select id from public.jobs$$, '42501', 'permission denied for table jobs', 'anon cannot read jobs');
select throws_ok($$select id from public.usage_logs$$, '42501', 'permission denied for table usage_logs', 'anon cannot read the ledger');

-- --- Service role ----------------------------------------------------------------------------
select tests.authenticate_as_service_role();
select lives_ok(
  $$update public.jobs set status = 'cancelled', completed_at = now(), error_code = 'CANCELLED' where id = '33333333-0000-4000-8000-00000000000a'$$,
  'The service role moves a job to cancelled (a valid status)'
);
select lives_ok(
  $$insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed) values (tests.get_supabase_uid('alice'), '33333333-0000-4000-8000-00000000000a', 'refund', 'job.refund', -2)$$,
  'The service role records a refund'
);

-- --- Constraints -----------------------------------------------------------------------------
select tests.clear_authentication();
select throws_ok(
  $$update public.jobs set status = 'canceled' where id = '33333333-0000-4000-8000-00000000000b'$$,
  '23514', null, 'A status outside the lifecycle violates its CHECK'
);
select throws_ok(
  $$update public.jobs set status = 'failed' where id = '33333333-0000-4000-8000-00000000000b'$$,
  '23514', null, 'A terminal job needs completed_at'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, idempotency_key, request_hash) values (tests.get_supabase_uid('alice'), 'image', 'again', 'key-1', 'hash-2')$$,
  '23505', null, 'An idempotency key is unique per user'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, idempotency_key) values (tests.get_supabase_uid('alice'), 'image', 'x', 'key-2')$$,
  '23514', null, 'An idempotency key needs its request hash'
);
select throws_ok(
  $$insert into public.jobs (user_id, modality, prompt, content_mode) values (tests.get_supabase_uid('alice'), 'image', 'x', 'adult')$$,
  '23514', null, 'An unknown content mode violates its CHECK'
);
select is(
  (select destination || '/' || status || '/' || quality from public.jobs where id = '33333333-0000-4000-8000-00000000000b'),
  'workspace/queued/fast', 'A job defaults to the workspace destination, queued, fast'
);
select throws_ok(
  $$insert into public.usage_logs (user_id, job_id, kind, action, credits_consumed) values (tests.get_supabase_uid('alice'), '33333333-0000-4000-8000-00000000000a', 'charge', 'job.charge', 2)$$,
  '23505', null, 'A job is charged at most once'
);
select throws_ok(
  $$insert into public.usage_logs (user_id, kind, action, credits_consumed) values (tests.get_supabase_uid('alice'), 'charge', 'job.charge', -5)$$,
  '23514', null, 'A charge cannot be negative'
);
select throws_ok(
  $$insert into public.usage_logs (user_id, kind, action, credits_consumed) values (tests.get_supabase_uid('alice'), 'bonus', 'x', 1)$$,
  '23514', null, 'An unknown ledger kind violates its CHECK'
);
select throws_ok(
  $$insert into public.api_usage_logs (request_type) values ('fax')$$,
  '23514', null, 'An unknown request type violates its CHECK'
);
select throws_ok(
  $$insert into public.webhook_events (provider, delivery_id, payload_hash) values ('replicate', 'msg_1', repeat('c', 64))$$,
  '23505', null, 'A webhook delivery is recorded once per provider'
);
select throws_ok(
  $$insert into public.webhook_events (provider, delivery_id, payload_hash) values ('replicate', 'msg_2', 'not-a-hash')$$,
  '23514', null, 'The payload hash must be sha256 hex'
);
delete from public.jobs where id = '33333333-0000-4000-8000-00000000000a';
select is(
  (select count(*) from public.usage_logs where user_id = tests.get_supabase_uid('alice') and job_id is null),
  2::bigint, 'Deleting a job keeps its ledger entries (job_id set null)'
);

select * from finish();
rollback;
