-- Realtime: the reference frontend follows job progress and new workspace outputs through
-- Supabase Realtime (postgres_changes), which streams from this publication and applies the
-- tables' RLS to each subscriber.
alter publication supabase_realtime add table public.jobs, public.workspace_assets;
