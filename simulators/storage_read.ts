/**
 * Reads: `GET|HEAD /object/{bucket}/{key}` (also `/object/authenticated/...`) in the caller's
 * scope, `/object/public/...` for public buckets, `GET /object/info/...`, and the GET of a
 * signed URL (`/object/sign/{bucket}/{key}?token=`). Bodies stream from disk.
 */
import { type StorageCaller, verifyToken } from "./storage_auth.ts";
import type { SimContext } from "./storage_context.ts";
import { findBucket, findObject, type ObjectRow, runAs } from "./storage_db.ts";
import { corsHeaders, jsonResponse, simErrors } from "./storage_responses.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./storage_rules.ts";

/** Serves an object's bytes (or only its headers for HEAD). */
export async function serveObject(
  ctx: SimContext,
  req: Request,
  bucket: string,
  key: string,
  scope: StorageCaller | "superuser",
): Promise<Response> {
  mustBeValidBucketName(bucket);
  mustBeValidKey(key);
  const row = await runAs(ctx.sql, scope, (tx) => findObject(tx, bucket, key));
  const opened = row.version ? await ctx.blobs.open(row.version) : null;
  if (!opened) throw simErrors.noSuchKey();
  const meta = row.metadata;
  const headers = new Headers({
    ...corsHeaders,
    "content-type": meta?.mimetype ?? "application/octet-stream",
    "content-length": String(opened.size),
    "cache-control": meta?.cacheControl ?? "no-cache",
  });
  if (meta?.eTag) headers.set("etag", meta.eTag);
  const modified = meta?.lastModified ?? row.updated_at;
  if (modified) headers.set("last-modified", new Date(modified).toUTCString());
  const download = new URL(req.url).searchParams.get("download");
  if (download !== null) {
    const name = download || key.split("/").pop() || "download";
    headers.set("content-disposition", `attachment; filename="${encodeURIComponent(name)}"`);
  }
  if (req.method === "HEAD") {
    opened.file.close();
    return new Response(null, { status: 200, headers });
  }
  return new Response(opened.file.readable, { status: 200, headers });
}

/** `/object/public/{bucket}/{key}`: only for public buckets, no policies applied. */
export async function servePublic(
  ctx: SimContext,
  req: Request,
  bucket: string,
  key: string,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  const row = await findBucket(ctx.sql, bucket);
  if (!row.public) throw simErrors.noSuchBucket();
  return await serveObject(ctx, req, bucket, key, "superuser");
}

/** The GET of a signed URL: the token must be valid, unexpired and for this very path. */
export async function serveSigned(
  ctx: SimContext,
  req: Request,
  bucket: string,
  key: string,
): Promise<Response> {
  const token = new URL(req.url).searchParams.get("token");
  if (!token) throw simErrors.invalidRequest("querystring must have required property 'token'");
  const payload = await verifyToken(token, ctx.secret);
  if (payload.url !== `${bucket}/${key}`) throw simErrors.invalidSignature();
  return await serveObject(ctx, req, bucket, key, "superuser");
}

/** `GET /object/info/{bucket}/{key}`: the row as supabase-js's `info()` reads it. */
export async function serveInfo(
  ctx: SimContext,
  bucket: string,
  key: string,
  scope: StorageCaller | "superuser",
): Promise<Response> {
  mustBeValidBucketName(bucket);
  mustBeValidKey(key);
  const row = await runAs(ctx.sql, scope, (tx) => findObject(tx, bucket, key));
  return jsonResponse(infoBody(row));
}

function infoBody(row: ObjectRow) {
  const meta = row.metadata;
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    bucket_id: row.bucket_id,
    size: meta?.size ?? null,
    content_type: meta?.mimetype ?? null,
    cache_control: meta?.cacheControl ?? null,
    etag: meta?.eTag ?? null,
    metadata: row.user_metadata ?? {},
    last_modified: meta?.lastModified ?? row.updated_at,
    created_at: row.created_at,
  };
}
