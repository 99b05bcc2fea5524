-- Characters (roleplay personas), storyboard projects and their scenes, and the profile's
-- default user character. Public characters are readable by every signed-in user, NSFW ones
-- only by age-verified users; counters and authorship are not writable by users.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------
create table public.characters (
  id uuid primary key default gen_random_uuid(),
  -- Owner; null for platform characters (seeded, managed by admins).
  user_id uuid references public.profiles (id) on delete cascade,
  -- Who first wrote the character (kept when ownership moves); set from the JWT on insert.
  creator_id uuid default auth.uid() references public.profiles (id) on delete set null,
  name text not null check (char_length(name) between 1 and 100),
  description text not null check (char_length(description) <= 4000),
  traits text check (char_length(traits) <= 4000),
  appearance_tags text[] not null default '{}',
  persona text check (char_length(persona) <= 8000),
  system_prompt text check (char_length(system_prompt) <= 12000),
  voice_tone varchar(50),
  mood varchar(50),
  gender text not null default 'unspecified' check (gender in ('male', 'female', 'non-binary', 'unspecified')),
  content_rating text not null default 'sfw' check (content_rating in ('sfw', 'nsfw')),
  -- ai: played by the model; user: the user's own persona; narrator: scene narration.
  role text not null default 'ai' check (role in ('ai', 'user', 'narrator')),
  is_public boolean not null default false,
  image_url text,
  reference_image_url text,
  preview_image_url text,
  consistency_method text not null default 'i2i_reference'
    check (consistency_method in ('i2i_reference', 'seed_lock', 'prompt_only')),
  -- The seed reused for every image of the character when consistency_method = 'seed_lock'.
  seed_locked bigint,
  base_prompt text check (char_length(base_prompt) <= 4000),
  quick_start boolean not null default false,
  first_message text check (char_length(first_message) <= 8000),
  alternate_greetings text[] not null default '{}',
  likes_count integer not null default 0 check (likes_count >= 0),
  interaction_count integer not null default 0 check (interaction_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.characters is 'Roleplay characters: persona, appearance and consistency settings. Owners manage their own; public ones are readable by signed-in users (NSFW only when age-verified).';
create index characters_user_id_idx on public.characters (user_id);
create index characters_creator_id_idx on public.characters (creator_id);
create index characters_public_idx on public.characters (content_rating, created_at desc) where is_public;

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  title text check (char_length(title) <= 200),
  original_prompt text not null check (char_length(original_prompt) <= 8000),
  enhanced_prompt text check (char_length(enhanced_prompt) <= 16000),
  media_type text not null check (media_type in ('image', 'video')),
  duration integer not null default 0 check (duration >= 0),
  scene_count integer not null default 1 check (scene_count between 0 and 200),
  workflow_step text not null default 'configuration' check (workflow_step in (
    'configuration', 'character_selection', 'story_breakdown', 'storyboard_generation',
    'video_generation', 'completed')),
  character_id uuid references public.characters (id) on delete set null,
  preview_url text,
  reference_image_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.projects is 'Storyboard projects: a prompt broken into scenes, optionally around a character. Owner-only.';
create index projects_user_id_created_at_idx on public.projects (user_id, created_at desc);
create index projects_character_id_idx on public.projects (character_id);

create table public.scenes (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  scene_number integer not null check (scene_number >= 1),
  description text not null check (char_length(description) <= 8000),
  enhanced_prompt text check (char_length(enhanced_prompt) <= 16000),
  image_url text,
  approved boolean not null default false,
  final_stitched_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint scenes_project_scene_number_key unique (project_id, scene_number)
);
comment on table public.scenes is 'Numbered storyboard scenes of a project (approval workflow, final stitched video). Access follows the project.';

alter table public.profiles add column default_user_character_id uuid
  references public.characters (id) on delete set null;
comment on column public.profiles.default_user_character_id is 'The user''s own persona character used in roleplay by default; must be a character the user owns.';
create index profiles_default_user_character_id_idx on public.profiles (default_user_character_id);

create trigger characters_set_updated_at before update on public.characters
  for each row execute function public.set_updated_at();
create trigger projects_set_updated_at before update on public.projects
  for each row execute function public.set_updated_at();
create trigger scenes_set_updated_at before update on public.scenes
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Grants: counters (likes, interactions) and authorship are not user-writable
-- ---------------------------------------------------------------------------------------------
revoke all on public.characters, public.projects, public.scenes from anon, authenticated;
grant select, delete on public.characters to authenticated;
grant insert (id, user_id, name, description, traits, appearance_tags, persona, system_prompt, voice_tone,
  mood, gender, content_rating, role, is_public, image_url, reference_image_url, preview_image_url,
  consistency_method, seed_locked, base_prompt, quick_start, first_message, alternate_greetings)
  on public.characters to authenticated;
grant update (name, description, traits, appearance_tags, persona, system_prompt, voice_tone, mood,
  gender, content_rating, role, is_public, image_url, reference_image_url, preview_image_url,
  consistency_method, seed_locked, base_prompt, quick_start, first_message, alternate_greetings)
  on public.characters to authenticated;
grant select, delete on public.projects to authenticated;
grant insert (id, user_id, title, original_prompt, enhanced_prompt, media_type, duration, scene_count,
  workflow_step, character_id, preview_url, reference_image_url) on public.projects to authenticated;
grant update (title, original_prompt, enhanced_prompt, media_type, duration, scene_count,
  workflow_step, character_id, preview_url, reference_image_url) on public.projects to authenticated;
grant select, delete on public.scenes to authenticated;
grant insert (id, project_id, scene_number, description, enhanced_prompt, image_url, approved,
  final_stitched_url) on public.scenes to authenticated;
grant update (scene_number, description, enhanced_prompt, image_url, approved, final_stitched_url)
  on public.scenes to authenticated;
grant update (default_user_character_id) on public.profiles to authenticated;

alter table public.characters enable row level security;
alter table public.projects enable row level security;
alter table public.scenes enable row level security;

-- ---------------------------------------------------------------------------------------------
-- Functions
-- ---------------------------------------------------------------------------------------------
create or replace function public.profiles_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Only end users are restricted; service paths and admin tooling run as other roles.
  if auth.role() is distinct from 'authenticated' then
    return new;
  end if;
  if new.birth_date is distinct from old.birth_date then
    if old.birth_date is not null then
      raise exception 'birth_date can only be set once' using errcode = '42501';
    end if;
    if new.birth_date > current_date then
      raise exception 'birth_date cannot be in the future' using errcode = '23514';
    end if;
    -- The documented rule: age is verified once a birth date of 18+ years ago is declared.
    if new.birth_date <= (current_date - interval '18 years')::date then
      new.age_verified := true;
      new.age_verification_date := now();
    end if;
  end if;
  -- The default persona must be one of the user's own characters (read under RLS).
  if new.default_user_character_id is distinct from old.default_user_character_id
    and new.default_user_character_id is not null
    and not exists (
      select 1 from public.characters c
      where c.id = new.default_user_character_id and c.user_id = auth.uid()
    ) then
    raise exception 'default_user_character_id must be one of your own characters' using errcode = '42501';
  end if;
  return new;
end
$$;
comment on function public.profiles_guard() is 'BEFORE UPDATE on profiles for end users: birth_date is set once and derives age_verified (18+); the default persona must be an own character. Column grants already stop users changing credits, plan or age_verified.';
revoke execute on function public.profiles_guard() from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------------
-- Policies
-- ---------------------------------------------------------------------------------------------
-- Own characters, public SFW ones, public NSFW ones when the reader is age-verified; admins all.
create policy characters_select_visible on public.characters for select to authenticated
  using (
    user_id = (select auth.uid())
    or (is_public and (
      content_rating = 'sfw'
      or (select p.age_verified from public.profiles p where p.id = (select auth.uid()))
    ))
    or (select public.has_role((select auth.uid()), 'admin'))
  );
-- Users create characters they own; only admins create platform (ownerless) or others' characters.
create policy characters_insert_own on public.characters for insert to authenticated
  with check (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy characters_update_own on public.characters for update to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')))
  with check (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy characters_delete_own on public.characters for delete to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));

-- Owner-only; admins may read for support. A linked character must be visible to the owner.
create policy projects_select_own on public.projects for select to authenticated
  using (user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')));
create policy projects_insert_own on public.projects for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id))
  );
create policy projects_update_own on public.projects for update to authenticated
  using (user_id = (select auth.uid()))
  with check (
    user_id = (select auth.uid())
    and (character_id is null or exists (select 1 from public.characters c where c.id = character_id))
  );
create policy projects_delete_own on public.projects for delete to authenticated
  using (user_id = (select auth.uid()));

-- Scenes follow their project.
create policy scenes_select_own on public.scenes for select to authenticated
  using (exists (
    select 1 from public.projects p
    where p.id = project_id
      and (p.user_id = (select auth.uid()) or (select public.has_role((select auth.uid()), 'admin')))
  ));
create policy scenes_insert_own on public.scenes for insert to authenticated
  with check (exists (select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));
create policy scenes_update_own on public.scenes for update to authenticated
  using (exists (select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())))
  with check (exists (select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));
create policy scenes_delete_own on public.scenes for delete to authenticated
  using (exists (select 1 from public.projects p where p.id = project_id and p.user_id = (select auth.uid())));
