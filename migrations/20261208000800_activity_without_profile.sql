-- An audit row for a token whose account is gone (a valid JWT outlives its user) failed the
-- foreign key to profiles. Audit rows go through the functions' group commit, so that one failure
-- rolled back every other request's write in its group, which then reran one by one: a deleted
-- account's token could slow everyone's writes. Such a row is now kept as the audit trail keeps
-- rows of deleted accounts: user_id null, with the id the token named in its metadata.
create or replace function public.record_user_activity(
  p_user_id uuid,
  p_action text,
  p_resource_type text default null,
  p_resource_id text default null,
  p_metadata jsonb default '{}'::jsonb,
  p_ip_address inet default null,
  p_user_agent text default null
) returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into public.user_activity_log
    (user_id, action, resource_type, resource_id, metadata, ip_address, user_agent)
  select
    p.id,
    left(p_action, 200),
    left(p_resource_type, 100),
    left(p_resource_id, 200),
    case when p.id is null and p_user_id is not null
      then coalesce(p_metadata, '{}'::jsonb) || jsonb_build_object('user_id_without_profile', p_user_id)
      else coalesce(p_metadata, '{}'::jsonb) end,
    p_ip_address,
    left(p_user_agent, 512)
  from (select 1) one
  left join public.profiles p on p.id = p_user_id
  returning id
$$;
