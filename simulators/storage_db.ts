/**
 * storage.objects access for the simulator. Requests run in the caller's scope (asUser for user
 * and anon tokens, so the project's real storage policies decide; asService for service_role),
 * and Postgres errors become Storage's: 42501 → 403 AccessDenied, 23505 → 409
 * ResourceAlreadyExists (KeyAlreadyExists for an upload or copy), 23503 → InvalidRequest 404.
 * Deletes set `storage.allow_delete_query` first, as Storage does: current Storage's
 * protect_delete trigger refuses a DELETE on storage.objects from anyone else.
 */
import type { Sql, Tx } from "../shared/db/client.ts";
import { asService, asUser } from "../shared/db/scopes.ts";
import type { StorageCaller } from "./storage_auth.ts";
import { simErrors, StorageSimError } from "./storage_responses.ts";
import type { BucketRow } from "./storage_rules.ts";

/** A storage.objects row. */
export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  created_at: string | null;
  updated_at: string | null;
  last_accessed_at: string | null;
  metadata: ObjectMetadata | null;
  version: string | null;
  user_metadata: Record<string, unknown> | null;
}

/** The `metadata` Storage keeps for each object. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

/** Runs `fn` in the caller's scope, translating Postgres errors into Storage's. */
export async function runAs<T>(
  sql: Sql,
  caller: StorageCaller | "superuser",
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  try {
    if (caller === "superuser" || caller.role === "service_role") return await asService(sql, fn);
    return await asUser(sql, caller.claims, fn);
  } catch (err) {
    throw fromPgError(err);
  }
}

/** Storage's answer for a Postgres error (as its DBError.fromDBError maps them). */
export function fromPgError(err: unknown): unknown {
  if (err instanceof StorageSimError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "42501") {
    return simErrors.accessDenied(
      message.includes("row-level security")
        ? "new row violates row-level security policy"
        : message,
    );
  }
  if (code === "23505") return simErrors.duplicate();
  if (code === "23503") return simErrors.relatedNotFound();
  return err;
}

/** Lets this transaction delete storage rows (the protect_delete trigger checks the setting). */
export function allowDelete(tx: Tx) {
  return tx`select set_config('storage.allow_delete_query', 'true', true)`;
}

/** Reads a bucket as the Storage server does (as superuser); NoSuchBucket when missing. */
export async function findBucket(sql: Sql, id: string): Promise<BucketRow> {
  const rows = await sql<BucketRow[]>`
    select id, coalesce(public, false) as public, file_size_limit, allowed_mime_types
    from storage.buckets where id = ${id}`;
  if (!rows[0]) throw simErrors.noSuchBucket();
  return rows[0];
}

/** The object row visible to the transaction's caller; NoSuchKey when there is none. */
export async function findObject(tx: Tx, bucket: string, name: string): Promise<ObjectRow> {
  const rows = await tx<ObjectRow[]>`
    select id, bucket_id, name, owner, owner_id, created_at, updated_at, last_accessed_at,
      metadata, version, user_metadata
    from storage.objects where bucket_id = ${bucket} and name = ${name}`;
  if (!rows[0]) throw simErrors.noSuchKey();
  return rows[0];
}

/** The new row of an insert or upsert. */
export interface ObjectWrite {
  bucket: string;
  name: string;
  owner: string | null;
  ownerId: string | null;
  metadata: ObjectMetadata;
  version: string;
  userMetadata: Record<string, unknown> | null;
}

/**
 * Inserts the row (or, with `upsert`, replaces an existing one, which needs the caller's
 * select and update policies, as on Storage). Returns the id and the version it replaced.
 */
export async function writeObject(
  tx: Tx,
  w: ObjectWrite,
  upsert: boolean,
): Promise<{ id: string; replaced: string | null }> {
  const json = (v: unknown) => tx.json(v as Parameters<typeof tx.json>[0]);
  let replaced: string | null = null;
  if (upsert) {
    const old = await tx<{ version: string | null }[]>`
      select version from storage.objects where bucket_id = ${w.bucket} and name = ${w.name}
      for update`;
    replaced = old[0]?.version ?? null;
  }
  const values = tx`(${w.bucket}, ${w.name}, ${w.owner}, ${w.ownerId}, ${json(w.metadata)},
    ${w.version}, ${w.userMetadata ? json(w.userMetadata) : null})`;
  const insert = upsert
    ? tx<{ id: string }[]>`
      insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version, user_metadata)
      values ${values}
      on conflict (bucket_id, name) do update set owner = excluded.owner,
        owner_id = excluded.owner_id, metadata = excluded.metadata, version = excluded.version,
        user_metadata = excluded.user_metadata, updated_at = now(), last_accessed_at = now()
      returning id`
    : tx<{ id: string }[]>`
      insert into storage.objects (bucket_id, name, owner, owner_id, metadata, version, user_metadata)
      values ${values}
      returning id`;
  try {
    const rows = await insert;
    return { id: rows[0].id, replaced };
  } catch (err) {
    // An upload or copy onto an existing key is KeyAlreadyExists on Storage.
    if ((err as { code?: unknown })?.code === "23505") throw simErrors.keyExists();
    throw err;
  }
}

/** Metadata for newly written bytes. */
export function objectMetadata(
  size: number,
  md5: string,
  mimetype: string,
  cacheControl: string,
): ObjectMetadata {
  return {
    eTag: `"${md5}"`,
    size,
    mimetype,
    cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: size,
    httpStatusCode: 200,
  };
}
