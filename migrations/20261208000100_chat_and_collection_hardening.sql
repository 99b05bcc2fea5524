-- What the adversarial review of the chat and library routes found, closed in the database.
--
-- 1. A conversation's memory (the rolling summary) reaches the model's system prompt, so users no
--    longer write memory_data: the backend does, on the service path.
-- 2. Users store only their own side of a conversation: a `user` message. The assistant's replies
--    are stored by the backend (service path), so a client cannot forge the model's history.
-- 3. An `admin` conversation (its template is the admins') is opened or kept only by an admin.
-- 4. Moving library items between collections in opposite directions at once deadlocked the
--    collection counters (each move locked the old collection, then the new one); both rows are
--    now locked in id order first.

revoke insert (memory_data), update (memory_data) on public.conversations from authenticated;

drop policy conversations_insert_own on public.conversations;
drop policy conversations_update_own on public.conversations;
create policy conversations_insert_own on public.conversations for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and (conversation_type <> 'admin' or public.has_role((select auth.uid()), 'admin'))
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id))
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
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id))
    and (user_character_id is null or exists (
      select 1 from public.characters c where c.id = user_character_id and c.user_id = (select auth.uid())))
    and (project_id is null or exists (
      select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  );

drop policy messages_insert_own on public.messages;
create policy messages_insert_own on public.messages for insert to authenticated
  with check (
    sender = 'user'
    and exists (select 1 from public.conversations c where c.id = conversation_id and c.user_id = (select auth.uid()))
  );

create or replace function public.user_library_sync_collection_count() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A move touches two collections: both are locked in id order before either is updated, so
  -- two moves in opposite directions queue instead of deadlocking.
  if tg_op = 'UPDATE' and old.collection_id is not null and new.collection_id is not null
    and new.collection_id <> old.collection_id then
    perform 1 from public.user_collections c
    where c.id in (old.collection_id, new.collection_id)
    order by c.id
    for no key update;
  end if;
  -- Relative increments under the row lock keep the count exact under concurrency.
  if tg_op in ('UPDATE', 'DELETE') and old.collection_id is not null
    and (tg_op = 'DELETE' or new.collection_id is distinct from old.collection_id) then
    update public.user_collections set asset_count = greatest(asset_count - 1, 0)
    where id = old.collection_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') and new.collection_id is not null
    and (tg_op = 'INSERT' or new.collection_id is distinct from old.collection_id) then
    update public.user_collections set asset_count = asset_count + 1
    where id = new.collection_id;
  end if;
  return null;
end
$$;
