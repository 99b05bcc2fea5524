-- Characters a conversation uses are the caller's own or public ones, for admins too. RLS lets an
-- admin see every character (to moderate them); linking or switching to another user's private
-- character through that view put its private system prompt into the admin's turns and counted
-- its interactions. The conversation policies and open_chat_turn now ask for the character to be
-- the caller's own or public, not merely visible (which still applies the NSFW rule to users).

drop policy conversations_insert_own on public.conversations;
drop policy conversations_update_own on public.conversations;
create policy conversations_insert_own on public.conversations for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and (conversation_type <> 'admin' or public.has_role((select auth.uid()), 'admin'))
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id
      and (c.user_id = (select auth.uid()) or c.is_public)))
    and (user_character_id is null or exists (
      select 1 from public.characters c where c.id = user_character_id and c.user_id = (select auth.uid())))
    and (project_id is null or exists (
      select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  );
create policy conversations_update_own on public.conversations for update to authenticated
  using (user_id = (select auth.uid()))
  with check (
    user_id = (select auth.uid())
    and (conversation_type <> 'admin' or public.has_role((select auth.uid()), 'admin'))
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id
      and (c.user_id = (select auth.uid()) or c.is_public)))
    and (user_character_id is null or exists (
      select 1 from public.characters c where c.id = user_character_id and c.user_id = (select auth.uid())))
    and (project_id is null or exists (
      select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  );

create or replace function public.open_chat_turn(
  p_conversation_id uuid,
  p_content text,
  p_wants_nsfw boolean,
  p_wants_prompt_override boolean,
  p_history_limit integer,
  p_default_per_minute integer,
  p_character_id uuid default null
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
  -- The character the turn switches to must be one the caller sees (RLS on characters).
  if p_character_id is not null and p_character_id is distinct from _conversation.character_id
    and not exists (select 1 from public.characters ch where ch.id = p_character_id
      and (ch.user_id = (select auth.uid()) or ch.is_public)) then
    return jsonb_build_object('outcome', 'character_not_found');
  end if;
  _wait := public.take_own_rate_slot('chat', p_default_per_minute);
  if _wait > 0 then
    return jsonb_build_object('outcome', 'rate_limited', 'wait_ms', _wait);
  end if;
  -- The switch commits with the turn, or not at all: a refused turn changes nothing, and two
  -- turns switching at once are serialised on the conversation's row.
  if p_character_id is not null and p_character_id is distinct from _conversation.character_id then
    update public.conversations c
    set character_id = p_character_id, conversation_type = 'character_roleplay'
    where c.id = _conversation.id
    returning * into _conversation;
  end if;
  insert into public.messages (conversation_id, sender, content, message_type)
  values (_conversation.id, 'user', p_content, 'text')
  returning * into _message;
  return jsonb_build_object(
    'outcome', 'opened',
    'conversation', to_jsonb(_conversation),
    'age_verified', _age_verified,
    'admin', _admin,
    -- Linked characters the caller may use: their own or public ones they can see (a character
    -- made private since is left out, an admin's view of other users' private ones too).
    'characters', coalesce((
      select jsonb_agg(to_jsonb(ch)) from public.characters ch
      where ch.id in (_conversation.character_id, _conversation.user_character_id)
        and (ch.user_id = (select auth.uid()) or ch.is_public)), '[]'::jsonb),
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
comment on function public.open_chat_turn(uuid, text, boolean, boolean, integer, integer, uuid) is 'Opens a chat turn under the caller''s RLS in one transaction: the conversation (outcome not_found when not theirs), the standing (nsfw_forbidden unless age-verified or admin, override_forbidden unless admin), the character to switch to (character_not_found unless visible), the chat rate-limit slot (rate_limited with wait_ms), then switches the character (p_character_id, as a character roleplay), stores the user''s message and answers the conversation, linked characters, message, recent history (newest first, p_history_limit + 1) and message count. Nothing is stored unless outcome is opened.';
revoke execute on function public.open_chat_turn(uuid, text, boolean, boolean, integer, integer, uuid) from public, anon;
grant execute on function public.open_chat_turn(uuid, text, boolean, boolean, integer, integer, uuid) to authenticated;
