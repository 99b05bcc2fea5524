-- Chat: conversations (optionally with a character and a project), their messages, and the
-- scene images generated for a character within a conversation. Owner-only; a conversation may
-- only link characters the user can see. A new message bumps its conversation's updated_at.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  project_id uuid references public.projects (id) on delete set null,
  title text not null default 'New Conversation' check (char_length(title) between 1 and 200),
  conversation_type text not null default 'general' check (conversation_type in (
    'general', 'creative', 'admin', 'roleplay', 'character_roleplay', 'scene_roleplay', 'storyboard')),
  status text not null default 'active' check (status in ('active', 'archived')),
  -- The character the model plays, and the user's own persona.
  character_id uuid references public.characters (id) on delete set null,
  user_character_id uuid references public.characters (id) on delete set null,
  memory_tier text not null default 'conversation' check (memory_tier in ('conversation', 'character', 'profile')),
  memory_data jsonb not null default '{}'::jsonb check (jsonb_typeof(memory_data) = 'object'),
  current_location text check (char_length(current_location) <= 500),
  -- Written by the functions from a stored output (never a client-supplied path).
  last_scene_image text check (char_length(last_scene_image) <= 1024),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.conversations is 'Chat sessions (general or character roleplay) with tiered memory. Owner-only; updated_at moves with each new message.';
create index conversations_user_updated_at_idx on public.conversations (user_id, updated_at desc);
create index conversations_project_id_idx on public.conversations (project_id);
create index conversations_character_id_idx on public.conversations (character_id);
create index conversations_user_character_id_idx on public.conversations (user_character_id);

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  sender text not null check (sender in ('user', 'assistant')),
  content text not null check (char_length(content) between 1 and 100000),
  message_type text not null default 'text' check (message_type in ('text', 'image', 'system')),
  created_at timestamptz not null default now()
);
comment on table public.messages is 'Messages of a conversation, oldest first; immutable once written. Access follows the conversation.';
create index messages_conversation_created_at_idx on public.messages (conversation_id, created_at);

create table public.character_scenes (
  id uuid primary key default gen_random_uuid(),
  -- The user the scene belongs to (who generated it), not necessarily the character's owner.
  user_id uuid not null references public.profiles (id) on delete cascade,
  character_id uuid not null references public.characters (id) on delete cascade,
  conversation_id uuid references public.conversations (id) on delete cascade,
  job_id uuid references public.jobs (id) on delete set null,
  scene_name text check (char_length(scene_name) <= 200),
  scene_description text check (char_length(scene_description) <= 4000),
  scene_prompt text not null check (char_length(scene_prompt) between 1 and 8000),
  system_prompt text check (char_length(system_prompt) <= 12000),
  image_url text,
  generation_metadata jsonb not null default '{}'::jsonb check (jsonb_typeof(generation_metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.character_scenes is 'Scene prompts and generated images for a character, optionally within a conversation. Owned by the user who made them.';
create index character_scenes_user_created_at_idx on public.character_scenes (user_id, created_at desc);
create index character_scenes_character_id_idx on public.character_scenes (character_id);
create index character_scenes_conversation_id_idx on public.character_scenes (conversation_id);
create index character_scenes_job_id_idx on public.character_scenes (job_id);

create trigger conversations_set_updated_at before update on public.conversations
  for each row execute function public.set_updated_at();
create trigger character_scenes_set_updated_at before update on public.character_scenes
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants
-- ---------------------------------------------------------------------------------------------
revoke all on public.conversations, public.messages, public.character_scenes from anon, authenticated;
grant select, delete on public.conversations to authenticated;
grant insert (id, user_id, project_id, title, conversation_type, status, character_id, user_character_id,
  memory_tier, memory_data, current_location) on public.conversations to authenticated;
grant update (project_id, title, conversation_type, status, character_id, user_character_id,
  memory_tier, memory_data, current_location) on public.conversations to authenticated;
grant select, delete on public.messages to authenticated;
grant insert (id, conversation_id, sender, content, message_type) on public.messages to authenticated;
grant select, delete on public.character_scenes to authenticated;
grant insert (id, user_id, character_id, conversation_id, scene_name, scene_description, scene_prompt,
  system_prompt) on public.character_scenes to authenticated;
grant update (scene_name, scene_description, scene_prompt, system_prompt)
  on public.character_scenes to authenticated;

alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.character_scenes enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
create function public.messages_touch_conversation() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.conversations set updated_at = now() where id = new.conversation_id;
  return null;
end
$$;
comment on function public.messages_touch_conversation() is 'AFTER INSERT on messages: bumps conversations.updated_at so lists sort by activity (definer: users cannot write updated_at).';
revoke execute on function public.messages_touch_conversation() from public, anon, authenticated;
create trigger messages_touch_conversation after insert on public.messages
  for each row execute function public.messages_touch_conversation();

-- ---------------------------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------------------------
-- Linked characters must be visible to the user (the subqueries run under characters' RLS),
-- and a linked project must be their own.
create policy conversations_select_own on public.conversations for select to authenticated
  using (user_id = (select auth.uid()));
create policy conversations_insert_own on public.conversations for insert to authenticated
  with check (
    user_id = (select auth.uid())
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
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id))
    and (user_character_id is null or exists (
      select 1 from public.characters c where c.id = user_character_id and c.user_id = (select auth.uid())))
    and (project_id is null or exists (
      select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  );
create policy conversations_delete_own on public.conversations for delete to authenticated
  using (user_id = (select auth.uid()));

create policy messages_select_own on public.messages for select to authenticated
  using (exists (select 1 from public.conversations c where c.id = conversation_id and c.user_id = (select auth.uid())));
create policy messages_insert_own on public.messages for insert to authenticated
  with check (exists (select 1 from public.conversations c where c.id = conversation_id and c.user_id = (select auth.uid())));
create policy messages_delete_own on public.messages for delete to authenticated
  using (exists (select 1 from public.conversations c where c.id = conversation_id and c.user_id = (select auth.uid())));

create policy character_scenes_select_own on public.character_scenes for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy character_scenes_insert_own on public.character_scenes for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from public.characters c where c.id = character_id)
    and (conversation_id is null or exists (
      select 1 from public.conversations v where v.id = conversation_id and v.user_id = (select auth.uid())))
  );
create policy character_scenes_update_own on public.character_scenes for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy character_scenes_delete_own on public.character_scenes for delete to authenticated
  using (user_id = (select auth.uid()));
