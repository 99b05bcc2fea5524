/**
 * Statements about the caller's own identity (profiles, user_roles, projects) that the
 * functions' checks need, run under the caller's RLS. Returned unsent.
 */
import type { Tx } from "../client.ts";

/** The caller's age verification and admin role (no row: no profile). */
export function callerStanding(tx: Tx) {
  return tx<{ age_verified: boolean; admin: boolean }[]>`
    select p.age_verified, public.has_role(p.id, 'admin') as admin
    from public.profiles p where p.id = (select auth.uid())`;
}

/** Whether the caller holds a role (has_role is definer; it reads user_roles for any user). */
export function hasRole(tx: Tx, userId: string, role: string) {
  return tx<{ granted: boolean }[]>`select public.has_role(${userId}::uuid, ${role}) as granted`;
}

/**
 * Whether a project is the caller's own. Owned, not merely visible: RLS also shows admins every
 * project, and nobody attaches their work to someone else's.
 */
export function ownProject(tx: Tx, id: string) {
  return tx<{ id: string }[]>`
    select id from public.projects where id = ${id} and user_id = (select auth.uid())`;
}
