/**
 * The `user_collections` table client: every statement runs as the caller (asUser), whose RLS
 * and column grants decide; `asset_count` is kept exact by the user_library trigger.
 */
import type { Tables } from "../database.types.ts";
import type { Tx } from "../client.ts";

/** A collection row. */
export type Collection = Tables<"user_collections">;

/** The caller's collections, by name. */
export function ownCollections(tx: Tx) {
  return tx<Collection[]>`
    select * from public.user_collections where user_id = (select auth.uid())
    order by name, id`;
}

/** The caller's own collection. */
export function ownCollection(tx: Tx, id: string) {
  return tx<Collection[]>`
    select * from public.user_collections where id = ${id} and user_id = (select auth.uid())`;
}

/** Creates a collection for the caller. */
export function create(tx: Tx, c: { name: string; description: string | null }) {
  return tx<Collection[]>`
    insert into public.user_collections (user_id, name, description)
    values ((select auth.uid()), ${c.name}, ${c.description})
    returning *`;
}

/** Renames or re-describes the caller's collection. */
export function update(tx: Tx, id: string, patch: { name?: string; description?: string | null }) {
  return tx<Collection[]>`
    update public.user_collections set ${tx(patch as never, ...Object.keys(patch) as never[])}
    where id = ${id} and user_id = (select auth.uid())
    returning *`;
}

/** Deletes the caller's collection; its items stay, unassigned (the foreign key sets null). */
export function remove(tx: Tx, id: string) {
  return tx<{ id: string }[]>`
    delete from public.user_collections where id = ${id} and user_id = (select auth.uid())
    returning id`;
}
