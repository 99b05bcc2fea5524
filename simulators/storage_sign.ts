/**
 * Signed URLs: `POST /object/sign/{bucket}/{key}` `{expiresIn}` → `{signedURL}`, the batch
 * `POST /object/sign/{bucket}` `{expiresIn, paths}`, and signed uploads
 * (`POST /object/upload/sign/{bucket}/{key}` → `{url, token}`, then `PUT ...?token=`). Tokens
 * are HS256 JWTs with the project secret holding `{url: "bucket/key"}`, as Storage signs them;
 * only objects the caller can see are signed.
 */
import { z } from "zod";
import { signToken, type StorageCaller, verifyToken } from "./storage_auth.ts";
import { parseJson, type SimContext } from "./storage_context.ts";
import { findBucket, findObject, runAs, writeObject } from "./storage_db.ts";
import { jsonResponse, simErrors } from "./storage_responses.ts";
import { mustBeValidBucketName, mustBeValidKey } from "./storage_rules.ts";
import { handleUpload } from "./storage_upload.ts";

const expiresIn = z.number().int().min(1);

/** Signs one object the caller can read. */
export async function handleSign(
  ctx: SimContext,
  req: Request,
  bucket: string,
  key: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  mustBeValidKey(key);
  const body = await parseJson(req, z.object({ expiresIn }));
  await runAs(ctx.sql, caller, (tx) => findObject(tx, bucket, key));
  const url = `${bucket}/${key}`;
  const token = await signToken({ url }, ctx.secret, body.expiresIn);
  return jsonResponse({ signedURL: `/object/sign/${url}?token=${token}` });
}

/** Signs many objects; the ones the caller cannot see get an error instead of a URL. */
export async function handleSignMany(
  ctx: SimContext,
  req: Request,
  bucket: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  const body = await parseJson(req, z.object({ expiresIn, paths: z.array(z.string()).min(1) }));
  const visible = await runAs(ctx.sql, caller, (tx) =>
    tx<{ name: string }[]>`
      select name from storage.objects where bucket_id = ${bucket} and name = any(${body.paths})`);
  const found = new Set(visible.map((r) => r.name));
  const out = [];
  for (const path of body.paths) {
    if (!found.has(path)) {
      out.push({
        error: "Either the object does not exist or you do not have access to it",
        path,
        signedURL: null,
      });
      continue;
    }
    const token = await signToken({ url: `${bucket}/${path}` }, ctx.secret, body.expiresIn);
    out.push({ error: null, path, signedURL: `/object/sign/${bucket}/${path}?token=${token}` });
  }
  return jsonResponse(out);
}

// Storage's signed upload URLs last two hours.
const UPLOAD_URL_SECONDS = 2 * 60 * 60;

/** Creates a signed upload URL after checking the caller may insert there. */
export async function handleSignUpload(
  ctx: SimContext,
  req: Request,
  bucket: string,
  key: string,
  caller: StorageCaller,
): Promise<Response> {
  mustBeValidBucketName(bucket);
  mustBeValidKey(key);
  await findBucket(ctx.sql, bucket);
  const upsert = req.headers.get("x-upsert") === "true";
  // Storage's canUpload: try the write in the caller's scope, then roll it back.
  const probe = new Error("rollback");
  await runAs(ctx.sql, caller, async (tx) => {
    await writeObject(tx, {
      bucket,
      name: key,
      owner: caller.owner,
      ownerId: caller.ownerId,
      metadata: { eTag: "", size: 0, mimetype: "", cacheControl: "", lastModified: "" } as never,
      version: crypto.randomUUID(),
      userMetadata: null,
    }, upsert);
    throw probe;
  }).catch((err) => {
    if (err !== probe) throw err;
  });
  const url = `${bucket}/${key}`;
  const token = await signToken(
    { url, owner: caller.ownerId, upsert },
    ctx.secret,
    UPLOAD_URL_SECONDS,
  );
  return jsonResponse({ url: `/object/upload/sign/${url}?token=${token}`, token });
}

/** The PUT of a signed upload URL: written as superuser, owned by whoever created the URL. */
export async function handleSignedUpload(
  ctx: SimContext,
  req: Request,
  bucket: string,
  key: string,
): Promise<Response> {
  const token = new URL(req.url).searchParams.get("token");
  if (!token) throw simErrors.invalidRequest("querystring must have required property 'token'");
  const payload = await verifyToken(token, ctx.secret);
  if (payload.url !== `${bucket}/${key}`) throw simErrors.invalidSignature();
  const ownerId = typeof payload.owner === "string" ? payload.owner : null;
  return await handleUpload(ctx, req, {
    bucket,
    key,
    upsert: payload.upsert === true,
    scope: "superuser",
    owner: ownerId && /^[0-9a-f-]{36}$/i.test(ownerId) ? ownerId : null,
    ownerId,
  });
}
