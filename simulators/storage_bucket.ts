/**
 * `GET /bucket/{id}` (supabase-js `getBucket`): the bucket row in the caller's scope, so the
 * project's storage.buckets policies decide who may read a bucket's rules, as on Storage.
 */
import type { StorageCaller } from "./storage_auth.ts";
import type { SimContext } from "./storage_context.ts";
import { runAs } from "./storage_db.ts";
import { jsonResponse, simErrors } from "./storage_responses.ts";
import { mustBeValidBucketName } from "./storage_rules.ts";

/** Answers the bucket as Storage renders it; NoSuchBucket when the caller cannot see it. */
export async function serveBucket(
  ctx: SimContext,
  id: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(id);
  const rows = await runAs(ctx.sql, caller, (tx) =>
    tx`
      select id, name, owner, public, type, file_size_limit, allowed_mime_types, created_at,
        updated_at
      from storage.buckets where id = ${id}`);
  if (!rows[0]) throw simErrors.noSuchBucket();
  return jsonResponse(rows[0]);
}
