/**
 * Copy and move (`POST /object/copy|move`, across buckets with `destinationBucket`) and removal
 * (`DELETE /object/{bucket}` with `{prefixes}`, `DELETE /object/{bucket}/{key}`). Each runs in
 * the caller's scope: copy needs select on the source and insert on the target, move needs
 * select and update, remove needs delete, exactly the policies Storage relies on. Like Storage,
 * copy and move do not check the destination bucket's MIME list or size limit (D6), and list and
 * remove on a bucket that does not exist answer an empty list (D9).
 */
import { z } from "zod";
import type { StorageCaller } from "./storage_auth.ts";
import { parseJson, type SimContext } from "./storage_context.ts";
import { allowDelete, findObject, runAs, writeObject } from "./storage_db.ts";
import { jsonResponse, simErrors } from "./storage_responses.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./storage_rules.ts";

const transferBody = z.object({
  bucketId: z.string(),
  sourceKey: z.string(),
  destinationKey: z.string(),
  destinationBucket: z.string().optional().nullable(),
  copyMetadata: z.boolean().optional(),
});

async function transferTarget(req: Request) {
  const body = await parseJson(req, transferBody);
  const destBucket = body.destinationBucket || body.bucketId;
  mustBeValidBucketName(body.bucketId);
  mustBeValidBucketName(destBucket);
  mustBeValidKey(body.sourceKey);
  mustBeValidKey(body.destinationKey);
  return { body, destBucket };
}

/** `POST /object/copy` → `{Id, Key}`; with `x-upsert: true` the target is replaced. */
export async function handleCopy(
  ctx: SimContext,
  req: Request,
  caller: StorageCaller,
): Promise<Response> {
  const upsert = req.headers.get("x-upsert") === "true";
  const { body, destBucket } = await transferTarget(req);
  let created: string | null = null;
  try {
    const result = await runAs(ctx.sql, caller, async (tx) => {
      const src = await findObject(tx, body.bucketId, body.sourceKey);
      if (!src.version || !src.metadata) throw simErrors.noSuchKey();
      created = await ctx.blobs.duplicate(src.version);
      // A missing destination bucket fails here, on the foreign key (InvalidRequest, 404).
      return await writeObject(tx, {
        bucket: destBucket,
        name: body.destinationKey,
        owner: caller.owner,
        ownerId: caller.ownerId,
        metadata: { ...src.metadata, lastModified: new Date().toISOString() },
        version: created,
        userMetadata: body.copyMetadata === false ? {} : src.user_metadata,
      }, upsert);
    });
    created = null;
    if (result.replaced) await ctx.blobs.discard(result.replaced);
    return jsonResponse({ Id: result.id, Key: `${destBucket}/${body.destinationKey}` });
  } finally {
    await ctx.blobs.discard(created);
  }
}

/**
 * `POST /object/move` → `{message}`: the row keeps its id and changes bucket and name, with a
 * new version and lastModified, as Storage's move writes the bytes anew (D12).
 */
export async function handleMove(
  ctx: SimContext,
  req: Request,
  caller: StorageCaller,
): Promise<Response> {
  const { body, destBucket } = await transferTarget(req);
  let created: string | null = null;
  let replaced: string | null = null;
  try {
    await runAs(ctx.sql, caller, async (tx) => {
      const src = await findObject(tx, body.bucketId, body.sourceKey);
      if (!src.version) throw simErrors.noSuchKey();
      created = await ctx.blobs.duplicate(src.version);
      const metadata = src.metadata
        ? { ...src.metadata, lastModified: new Date().toISOString() }
        : null;
      // The mover becomes the owner (a service-role move keeps the previous owner).
      const moved = await tx`
        update storage.objects set bucket_id = ${destBucket}, name = ${body.destinationKey},
          owner = coalesce(${caller.owner}::uuid, owner),
          owner_id = coalesce(${caller.ownerId}, owner_id), version = ${created},
          metadata = ${metadata ? tx.json(metadata as never) : null}, updated_at = now()
        where id = ${src.id} returning id`;
      // Visible but not updatable under the caller's policies.
      if (moved.length === 0) throw simErrors.accessDenied();
      replaced = src.version;
    });
    created = null;
    await ctx.blobs.discard(replaced);
    return jsonResponse({ message: "Successfully moved" });
  } finally {
    await ctx.blobs.discard(created);
  }
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
  const rows = await runAs(ctx.sql, caller, async (tx) => {
    await allowDelete(tx);
    return await tx<{ version: string | null }[]>`
      delete from storage.objects where bucket_id = ${bucket} and name = any(${prefixes})
      returning id, bucket_id, name, owner, owner_id, created_at, updated_at, last_accessed_at,
        metadata, version`;
  });
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
  const rows = await runAs(ctx.sql, caller, async (tx) => {
    await allowDelete(tx);
    return await tx<{ version: string | null }[]>`
      delete from storage.objects where bucket_id = ${bucket} and name = ${key}
      returning version`;
  });
  if (rows.length === 0) throw simErrors.noSuchKey();
  await ctx.blobs.discard(rows[0].version);
  return jsonResponse({ message: "Successfully deleted" });
}
