/**
 * The characters table client, as chat needs it: a character visible to the caller (their own,
 * or public; public NSFW only for an age-verified user, all by RLS), why an invisible one is
 * invisible, and the interaction counter. Returned unsent.
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";

/** A character row. */
export type Character = Tables<"characters">;

/**
 * The characters among `ids` the caller may use (asUser): their own or public ones RLS shows them
 * (NSFW ones only to the age-verified). Not merely visible: RLS shows admins every character.
 */
export function usableByIds(tx: Tx, ids: string[]) {
  return tx<Character[]>`select * from public.characters where id = any(${ids}::uuid[])
    and (user_id = (select auth.uid()) or is_public)`;
}

/**
 * Whether an id names a public NSFW character (asService: only to tell "verify your age" apart
 * from "no such character"; nothing else of the row is read).
 */
export function isPublicNsfw(tx: Tx, id: string) {
  return tx<{ yes: boolean }[]>`
    select true as yes from public.characters where id = ${id} and is_public and content_rating = 'nsfw'`;
}

/** One more interaction, in one atomic statement (asService: users cannot write the counter). */
export function countInteraction(tx: Tx, id: string) {
  return tx<{ interaction_count: number }[]>`
    update public.characters set interaction_count = interaction_count + 1 where id = ${id}
    returning interaction_count`;
}
