/**
 * Copy and move (`POST /object/copy|move`, across buckets with `destinationBucket`) and removal
 * (`DELETE /object/{bucket}` with `{prefixes}`, `DELETE /object/{bucket}/{key}`). Each runs in
 * the caller's scope: copy needs select on the source and insert on the target, move needs
 * select and update, remove needs delete, exactly the policies Storage relies on.
 */
import { z } from "zod";
import type { StorageCaller } from "./storage_auth.ts";
import { parseJson, type SimContext } from "./storage_context.ts";
import { findBucket, findObject, runAs, writeObject } from "./storage_db.ts";
import { jsonResponse, simErrors } from "./storage_responses.ts";
import {
  type BucketRow,
  mustBeAllowedMime,
  mustBeValidBucketName,
  mustBeValidKey,
  mustFit,
} from "./storage_rules.ts";

const transferBody = z.object({
  bucketId: z.string(),
  sourceKey: z.string(),
  destinationKey: z.string(),
  destinationBucket: z.string().optional().nullable(),
  copyMetadata: z.boolean().optional(),
});

async function transferTarget(ctx: SimContext, req: Request) {
  const body = await parseJson(req, transferBody);
  const destBucket = body.destinationBucket || body.bucketId;
  mustBeValidBucketName(body.bucketId);
  mustBeValidBucketName(destBucket);
  mustBeValidKey(body.sourceKey);
  mustBeValidKey(body.destinationKey);
  await findBucket(ctx.sql, body.bucketId);
  return { body, destBucket, dest: await findBucket(ctx.sql, destBucket) };
}

// Storage checks the target bucket's rules against the source object's size and type.
function mustSuitBucket(ctx: SimContext, dest: BucketRow, size: number, mime: string): void {
  mustFit(size, dest, ctx.globalLimit);
  mustBeAllowedMime(mime, dest);
}

/** `POST /object/copy` → `{Id, Key}`; with `x-upsert: true` the target is replaced. */
export async function handleCopy(
  ctx: SimContext,
  req: Request,
  caller: StorageCaller,
): Promise<Response> {
  const upsert = req.headers.get("x-upsert") === "true";
  const { body, destBucket, dest } = await transferTarget(ctx, req);
  let created: string | null = null;
  try {
    const result = await runAs(ctx.sql, caller, async (tx) => {
      const src = await findObject(tx, body.bucketId, body.sourceKey);
      if (!src.version || !src.metadata) throw simErrors.noSuchKey();
      mustSuitBucket(ctx, dest, src.metadata.size, src.metadata.mimetype);
      created = await ctx.blobs.duplicate(src.version);
      return await writeObject(tx, {
        bucket: destBucket,
        name: body.destinationKey,
        owner: caller.owner,
        ownerId: caller.ownerId,
        metadata: { ...src.metadata, lastModified: new Date().toISOString() },
        version: created,
        userMetadata: body.copyMetadata === false ? null : src.user_metadata,
      }, upsert);
    });
    created = null;
    if (result.replaced) await ctx.blobs.discard(result.replaced);
    return jsonResponse({ Id: result.id, Key: `${destBucket}/${body.destinationKey}` });
  } finally {
    await ctx.blobs.discard(created);
  }
}

/** `POST /object/move` → `{message}`: the row changes bucket and name; the bytes stay. */
export async function handleMove(
  ctx: SimContext,
  req: Request,
  caller: StorageCaller,
): Promise<Response> {
  const { body, destBucket, dest } = await transferTarget(ctx, req);
  await runAs(ctx.sql, caller, async (tx) => {
    const src = await findObject(tx, body.bucketId, body.sourceKey);
    if (src.metadata) mustSuitBucket(ctx, dest, src.metadata.size, src.metadata.mimetype);
    // The mover becomes the owner (a service-role move keeps the previous owner).
    const moved = await tx`
      update storage.objects set bucket_id = ${destBucket}, name = ${body.destinationKey},
        owner = coalesce(${caller.owner}::uuid, owner),
        owner_id = coalesce(${caller.ownerId}, owner_id), updated_at = now()
      where id = ${src.id} returning id`;
    // Visible but not updatable under the caller's policies.
    if (moved.length === 0) throw simErrors.accessDenied();
  });
  return jsonResponse({ message: "Successfully moved" });
}

const removeBody = z.object({ prefixes: z.array(z.string()).min(1).max(1000) });

/** `DELETE /object/{bucket}` with `{prefixes}` → the removed rows (missing ones are skipped). */
export async function handleRemove(
  ctx: SimContext,
  req: Request,
  bucket: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  const { prefixes } = await parseJson(req, removeBody);
  await findBucket(ctx.sql, bucket);
  const rows = await runAs(ctx.sql, caller, (tx) =>
    tx<{ version: string | null }[]>`
      delete from storage.objects where bucket_id = ${bucket} and name = any(${prefixes})
      returning id, bucket_id, name, owner, owner_id, created_at, updated_at, last_accessed_at,
        metadata, version`);
  await ctx.blobs.discard(...rows.map((r) => r.version));
  return jsonResponse(rows);
}

/** `DELETE /object/{bucket}/{key}` → `{message}`; NoSuchKey when nothing was deleted. */
export async function handleDeleteOne(
  ctx: SimContext,
  bucket: string,
  key: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  mustBeValidKey(key);
  const rows = await runAs(ctx.sql, caller, (tx) =>
    tx<{ version: string | null }[]>`
      delete from storage.objects where bucket_id = ${bucket} and name = ${key}
      returning version`);
  if (rows.length === 0) throw simErrors.noSuchKey();
  await ctx.blobs.discard(rows[0].version);
  return jsonResponse({ message: "Successfully deleted" });
}
