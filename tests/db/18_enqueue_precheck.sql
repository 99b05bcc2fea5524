-- enqueue_precheck (20261208000200): the answer enqueue_job would give, read without locks, for
-- each of its outcomes; only the service role may ask.
begin;
select plan(9);

select tests.create_supabase_user('precheck_user');
update public.profiles set token_balance = 5 where id = tests.get_supabase_uid('precheck_user');

select is(public.enqueue_precheck('00000000-0000-4000-8000-0000000000ff', 1), 'no_profile',
  'a user without a profile');
select is(public.enqueue_precheck(tests.get_supabase_uid('precheck_user'), 5), 'proceed',
  'a job the balance covers');
select is(public.enqueue_precheck(tests.get_supabase_uid('precheck_user'), 6), 'insufficient_credits',
  'a job the balance does not cover');

select is((select outcome from public.enqueue_job(tests.get_supabase_uid('precheck_user'),
  '{"modality": "image", "prompt": "a"}', 1, 'precheck-key', 'h1', 10)), 'created', 'a job with a key');
select is(public.enqueue_precheck(tests.get_supabase_uid('precheck_user'), 1, 'precheck-key', 'h1'),
  'replayed', 'the same key and request: a replay');
select is(public.enqueue_precheck(tests.get_supabase_uid('precheck_user'), 1, 'precheck-key', 'h2'),
  'idempotency_conflict', 'the same key for another request');

update public.system_config set config = config || '{"max_active_jobs_per_user": 1}' where id = 1;
select is(public.enqueue_precheck(tests.get_supabase_uid('precheck_user'), 1), 'too_many_active',
  'a full queue');
select is((select outcome from public.enqueue_job(tests.get_supabase_uid('precheck_user'),
  '{"modality": "image", "prompt": "b"}', 1)), 'too_many_active', 'which enqueue_job confirms');

select tests.authenticate_as('precheck_user');
select throws_ok($$select public.enqueue_precheck(auth.uid(), 1)$$, '42501', null,
  'a user cannot ask');
select tests.clear_authentication();

select * from finish();
rollback;
