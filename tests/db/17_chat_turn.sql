-- open_chat_turn: one statement under the caller's RLS that checks the conversation and the
-- caller's standing, takes the chat rate-limit slot and stores the user's message; nothing is
-- stored for a request it refuses. take_own_rate_slot spends only the caller's own budget.
begin;
select plan(28);

select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
insert into public.characters (id, user_id, name, description, is_public)
values ('77777777-0000-4000-8000-000000000001', null, 'Public', 'x', true);
insert into public.conversations (id, user_id, title, conversation_type, character_id)
values ('77777777-1000-4000-8000-00000000000a', tests.get_supabase_uid('alice'), 'Alice', 'character_roleplay',
        '77777777-0000-4000-8000-000000000001'),
       ('77777777-1000-4000-8000-00000000000b', tests.get_supabase_uid('bob'), 'Bob', 'general', null);
insert into public.messages (conversation_id, sender, content, created_at)
values ('77777777-1000-4000-8000-00000000000a', 'user', 'first', now() - interval '2 minutes'),
       ('77777777-1000-4000-8000-00000000000a', 'assistant', 'second', now() - interval '1 minute');
update public.system_config set config = config - 'chat_requests_per_minute' where id = 1;

select tests.authenticate_as('alice');
create temporary table opened on commit drop as
  select public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'third', false, false, 1, 2) as t;
select is((select t ->> 'outcome' from opened), 'opened', 'The owner opens a turn');
select is((select t -> 'message' ->> 'content' from opened), 'third', 'The answer carries the stored message');
select is(
  (select array(select jsonb_array_elements(t -> 'recent') ->> 'content') from opened),
  array['third', 'second'],
  'Recent history is newest first, the new message among it, history limit + 1 rows'
);
select is((select (t ->> 'total')::int from opened), 3, 'The count includes the new message');
select is(
  (select t -> 'characters' -> 0 ->> 'name' from opened), 'Public', 'The linked character comes back'
);
select is((select t -> 'conversation' ->> 'title' from opened), 'Alice', 'The conversation comes back');

select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000b', 'intrusion', false, false, 5, 2) ->> 'outcome',
  'not_found', 'Another user''s conversation is not found'
);
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'x', true, false, 5, 2) ->> 'outcome',
  'nsfw_forbidden', 'NSFW needs an age-verified account'
);
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'x', false, true, 5, 2) ->> 'outcome',
  'override_forbidden', 'Only admins override the system prompt'
);
-- The budget is 2 a minute: the first turn took one, the refusals above took none.
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'fourth', false, false, 5, 2) ->> 'outcome',
  'opened', 'A second turn in the minute passes'
);
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'fifth', false, false, 5, 2) ->> 'outcome',
  'rate_limited', 'A third turn in the minute is rate limited'
);
select results_eq(
  $$select content from public.messages where conversation_id = '77777777-1000-4000-8000-00000000000a' order by created_at, content$$,
  array['first', 'second', 'fourth', 'third'],
  'Only the opened turns stored a message'
);
select throws_ok(
  $$select public.take_own_rate_slot('made_up', 5)$$, '22023', 'unknown rate-limit bucket made_up',
  'A caller cannot create counters of buckets it makes up'
);

-- Switching the character with the turn (the reference body): after every check, in the turn.
select tests.clear_authentication();
insert into public.characters (id, user_id, name, description, is_public)
values ('77777777-0000-4000-8000-000000000002', null, 'Other', 'x', true),
       ('77777777-0000-4000-8000-000000000003', tests.get_supabase_uid('bob'), 'Bob private', 'x', false);
select tests.authenticate_as('alice');
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'x', false, true, 5, 10,
    '77777777-0000-4000-8000-000000000002') ->> 'outcome',
  'override_forbidden', 'A refused turn with a switch'
);
select is(
  (select character_id from public.conversations where id = '77777777-1000-4000-8000-00000000000a'),
  '77777777-0000-4000-8000-000000000001'::uuid, '... switches nothing'
);
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'x', false, false, 5, 10,
    '77777777-0000-4000-8000-000000000003') ->> 'outcome',
  'character_not_found', 'Another user''s private character is not found'
);
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'switched', false, false, 5, 10,
    '77777777-0000-4000-8000-000000000002') -> 'characters' -> 0 ->> 'name',
  'Other', 'An opened turn switches and runs with the new character'
);

-- An admin sees every character (RLS), but uses only their own and public ones.
select tests.clear_authentication();
select tests.create_supabase_user('chat_admin');
insert into public.user_roles (user_id, role) values (tests.get_supabase_uid('chat_admin'), 'admin');
insert into public.conversations (id, user_id, title)
values ('77777777-1000-4000-8000-00000000000c', tests.get_supabase_uid('chat_admin'), 'Admin');
select tests.authenticate_as('chat_admin');
select is(
  public.open_chat_turn('77777777-1000-4000-8000-00000000000c', 'x', false, false, 5, 10,
    '77777777-0000-4000-8000-000000000003') ->> 'outcome',
  'character_not_found', 'An admin cannot switch to another user''s private character'
);
select throws_ok(
  $$insert into public.conversations (user_id, title, character_id) values (tests.get_supabase_uid('chat_admin'), 'x', '77777777-0000-4000-8000-000000000003')$$,
  '42501', 'new row violates row-level security policy for table "conversations"',
  'nor link one to a conversation'
);

-- Links are checked when set: a character that went private, or an admin role that was taken
-- away, leaves the conversation renameable; setting a link the caller may not use still fails.
select tests.clear_authentication();
insert into public.characters (id, user_id, name, description, is_public)
values ('77777777-0000-4000-8000-000000000004', tests.get_supabase_uid('bob'), 'Bob once public', 'x', true);
insert into public.conversations (id, user_id, title, conversation_type, character_id)
values ('77777777-1000-4000-8000-00000000000d', tests.get_supabase_uid('alice'), 'Was public',
        'character_roleplay', '77777777-0000-4000-8000-000000000004');
update public.characters set is_public = false where id = '77777777-0000-4000-8000-000000000004';
insert into public.conversations (id, user_id, title, conversation_type)
values ('77777777-1000-4000-8000-00000000000e', tests.get_supabase_uid('chat_admin'), 'Moderation', 'admin');
delete from public.user_roles where user_id = tests.get_supabase_uid('chat_admin');
select tests.authenticate_as('alice');
select lives_ok(
  $$update public.conversations set title = 'Renamed', status = 'archived' where id = '77777777-1000-4000-8000-00000000000d'$$,
  'A conversation whose character went private can still be renamed and archived'
);
select is(
  (select title from public.conversations where id = '77777777-1000-4000-8000-00000000000d'),
  'Renamed', '... and the rename is stored'
);
select throws_ok(
  $$update public.conversations set character_id = '77777777-0000-4000-8000-000000000003' where id = '77777777-1000-4000-8000-00000000000d'$$,
  '42501', 'new row violates row-level security policy for table "conversations"',
  'Setting another user''s private character is still refused'
);
select throws_ok(
  $$update public.conversations set conversation_type = 'admin' where id = '77777777-1000-4000-8000-00000000000d'$$,
  '42501', 'new row violates row-level security policy for table "conversations"',
  'A user cannot make a conversation an admin one'
);
select is_empty(
  $$select * from public.own_conversation_links('77777777-1000-4000-8000-00000000000b')$$,
  'The stored links of another user''s conversation are not told'
);
select tests.authenticate_as('chat_admin');
select lives_ok(
  $$update public.conversations set title = 'Old moderation' where id = '77777777-1000-4000-8000-00000000000e'$$,
  'A former admin can still rename their admin conversation'
);

select tests.clear_authentication();
select tests.authenticate_as('bob');
select is(
  public.take_own_rate_slot('chat', 0), 0, 'A caller''s default of 0 does not turn the limit off; it is at least 1'
);
select ok(public.take_own_rate_slot('chat', 0) > 0, 'so the second request of the minute waits');

select tests.authenticate_as_anon();
select throws_ok(
  $$select public.open_chat_turn('77777777-1000-4000-8000-00000000000a', 'x', false, false, 5, 2)$$,
  '42501', null, 'anon cannot open a turn'
);

select * from finish();
rollback;
