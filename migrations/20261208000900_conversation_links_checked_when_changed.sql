-- A conversation's links are checked when they are set, not every time the row changes. The
-- update policy re-checked the character (own or public) and the admin type on every update, so
-- once a public character went private, or an admin lost the role, renaming or archiving the
-- conversation (and the automatic title) violated RLS. A link the row already holds now passes;
-- a new one is checked as before.

-- What the caller's own conversation links to as stored. A policy cannot read its own table
-- (Postgres refuses the recursion), so this reads it as its owner; it answers only for the
-- caller's own conversations, which they can read anyway. The policy's check runs before the
-- new version is written, so this sees the row as it was.
create function public.own_conversation_links(p_conversation_id uuid)
returns table (character_id uuid, conversation_type text)
language sql
stable
security definer
set search_path = ''
as $$
  select c.character_id, c.conversation_type
  from public.conversations c
  where c.id = p_conversation_id and c.user_id = (select auth.uid())
$$;
comment on function public.own_conversation_links(uuid) is 'The stored character_id and conversation_type of one of the caller''s own conversations (no row for anyone else''s); read by the conversations update policy, which may not query its own table.';
revoke execute on function public.own_conversation_links(uuid) from public, anon;
grant execute on function public.own_conversation_links(uuid) to authenticated;

drop policy conversations_update_own on public.conversations;
create policy conversations_update_own on public.conversations for update to authenticated
  using (user_id = (select auth.uid()))
  with check (
    user_id = (select auth.uid())
    and (conversation_type <> 'admin'
      or public.has_role((select auth.uid()), 'admin')
      or conversation_type = (select o.conversation_type from public.own_conversation_links(id) o))
    and (character_id is null
      or character_id = (select o.character_id from public.own_conversation_links(id) o)
      or exists (select 1 from public.characters c where c.id = character_id
        and (c.user_id = (select auth.uid()) or c.is_public)))
    and (user_character_id is null or exists (
      select 1 from public.characters c where c.id = user_character_id and c.user_id = (select auth.uid())))
    and (project_id is null or exists (
      select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  );
