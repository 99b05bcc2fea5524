-- Local seed data for the dev stack (never needed by the tests, which make their own data).
-- Idempotent: `npm run dev` loads it on every start.

-- Demo users: a normal user with credits and an admin. Their JWTs are printed by `npm run dev`.
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
values
  ('a0000000-0000-4000-8000-000000000001', 'demo@example.com', '{"username": "demo"}', now()),
  ('a0000000-0000-4000-8000-000000000002', 'admin@example.com', '{"username": "admin"}', now())
on conflict (id) do nothing;

update public.profiles set token_balance = 1000, birth_date = date '1990-01-01',
  age_verified = true, age_verification_date = coalesce(age_verification_date, now())
where id in ('a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002');

insert into public.user_roles (user_id, role)
values ('a0000000-0000-4000-8000-000000000002', 'admin')
on conflict (user_id, role) do nothing;
