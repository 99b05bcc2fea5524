-- A chat turn's preparation in one statement: playground-chat used to read the conversation and
-- the caller's standing, then the linked characters, take the rate-limit slot on the service
-- path, and store the message and read the history: three to four round trips before the
-- provider was called (bench/results/latest.md, scenario 10). open_chat_turn does all of it in
-- one transaction under the caller's RLS; only the rate-limit counter, which users cannot write,
-- goes through take_own_rate_slot.

create function public.take_own_rate_slot(p_bucket text, p_default_per_minute integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    raise exception 'take_own_rate_slot needs a signed-in user' using errcode = '42501';
  end if;
  -- Only the buckets of calls made on the user's behalf; no rows for names a caller makes up.
  if p_bucket not in ('chat', 'enhance') then
    raise exception 'unknown rate-limit bucket %', p_bucket using errcode = '22023';
  end if;
  -- A caller's default never turns the limit off (0); system_config still can.
  return public.take_user_rate_slot((select auth.uid()), p_bucket, greatest(coalesce(p_default_per_minute, 1), 1));
end
$$;
comment on function public.take_own_rate_slot(text, integer) is 'Counts one request of the signed-in user in bucket chat or enhance (take_user_rate_slot for auth.uid(); definer because users cannot write user_rate_windows). Returns 0 when allowed, else the milliseconds until the next window. A user can spend only their own budget.';
revoke execute on function public.take_own_rate_slot(text, integer) from public, anon;
grant execute on function public.take_own_rate_slot(text, integer) to authenticated;

create function public.open_chat_turn(
  p_conversation_id uuid,
  p_content text,
  p_wants_nsfw boolean,
  p_wants_prompt_override boolean,
  p_history_limit integer,
  p_default_per_minute integer
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  _conversation public.conversations;
  _age_verified boolean;
  _admin boolean;
  _wait integer;
  _message public.messages;
begin
  -- Under the caller's RLS: another user's conversation is not found.
  select * into _conversation from public.conversations c where c.id = p_conversation_id;
  if not found then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  select coalesce(p.age_verified, false), public.has_role(p.id, 'admin')
    into _age_verified, _admin
  from public.profiles p where p.id = (select auth.uid());
  _age_verified := coalesce(_age_verified, false);
  _admin := coalesce(_admin, false);
  if p_wants_nsfw and not (_age_verified or _admin) then
    return jsonb_build_object('outcome', 'nsfw_forbidden');
  end if;
  if p_wants_prompt_override and not _admin then
    return jsonb_build_object('outcome', 'override_forbidden');
  end if;
  _wait := public.take_own_rate_slot('chat', p_default_per_minute);
  if _wait > 0 then
    return jsonb_build_object('outcome', 'rate_limited', 'wait_ms', _wait);
  end if;
  insert into public.messages (conversation_id, sender, content, message_type)
  values (_conversation.id, 'user', p_content, 'text')
  returning * into _message;
  return jsonb_build_object(
    'outcome', 'opened',
    'conversation', to_jsonb(_conversation),
    'age_verified', _age_verified,
    'admin', _admin,
    -- Linked characters the caller can see (a private one unlinked since is left out).
    'characters', coalesce((
      select jsonb_agg(to_jsonb(ch)) from public.characters ch
      where ch.id in (_conversation.character_id, _conversation.user_character_id)), '[]'::jsonb),
    'message', to_jsonb(_message),
    -- The newest messages, the one just stored among them, newest first; one extra.
    'recent', coalesce((
      select jsonb_agg(to_jsonb(m) order by m.created_at desc, m.id desc)
      from (
        select * from public.messages m
        where m.conversation_id = _conversation.id
        order by m.created_at desc, m.id desc
        limit greatest(p_history_limit, 0) + 1
      ) m), '[]'::jsonb),
    'total', (select count(*) from public.messages m where m.conversation_id = _conversation.id)
  );
end
$$;
comment on function public.open_chat_turn(uuid, text, boolean, boolean, integer, integer) is 'Opens a chat turn under the caller''s RLS in one transaction: the conversation (outcome not_found when not theirs), the standing (nsfw_forbidden unless age-verified or admin, override_forbidden unless admin), the chat rate-limit slot (rate_limited with wait_ms), then stores the user''s message and answers the conversation, linked characters, message, recent history (newest first, p_history_limit + 1) and message count. Nothing is stored unless outcome is opened.';
revoke execute on function public.open_chat_turn(uuid, text, boolean, boolean, integer, integer) from public, anon;
grant execute on function public.open_chat_turn(uuid, text, boolean, boolean, integer, integer) to authenticated;
