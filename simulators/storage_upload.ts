/**
 * Uploads (`POST|PUT /object/{bucket}/{key}`, and the PUT of a signed upload URL): bucket
 * rules first (MIME type, declared size), then the body streamed to disk, then the row written
 * in the caller's scope so the storage policies decide, as on Storage. Like Storage, a raw body
 * sent without Content-Length (a stream) is never held to the size limit (storage-fidelity D1):
 * a client that streams must cap its own bytes.
 */
import type { StorageCaller } from "./storage_auth.ts";
import type { SimContext } from "./storage_context.ts";
import { findBucket, objectMetadata, runAs, writeObject } from "./storage_db.ts";
import { parseMultipart } from "./storage_multipart.ts";
import { jsonResponse, simErrors } from "./storage_responses.ts";
import {
  maxObjectSize,
  mustBeAllowedMime,
  mustBeValidBucketName,
  mustBeValidKey,
} from "./storage_rules.ts";

/** Where and as whom an upload is written. */
export interface UploadTarget {
  bucket: string;
  key: string;
  upsert: boolean;
  /** The scope the row is written in (a signed upload writes as superuser). */
  scope: StorageCaller | "superuser";
  owner: string | null;
  ownerId: string | null;
}

interface UploadSource {
  body: ReadableStream<Uint8Array> | null;
  mimetype: string;
  cacheControl: string;
  declaredSize: number | null;
  userMetadata: Record<string, unknown> | null;
}

/** Handles one upload and answers `{Id, Key}` like Storage. */
export async function handleUpload(
  ctx: SimContext,
  req: Request,
  target: UploadTarget,
): Promise<Response> {
  mustBeValidBucketName(target.bucket);
  mustBeValidKey(target.key);
  const bucket = await findBucket(ctx.sql, target.bucket);
  const source = await readSource(req);
  mustBeAllowedMime(source.mimetype, bucket);
  const limit = maxObjectSize(bucket, ctx.globalLimit);
  if (source.declaredSize !== null && source.declaredSize > limit) {
    throw simErrors.tooLarge();
  }
  // Only a declared size is checked: an upload of unknown size gets no later check (D1).
  const received = await ctx.blobs.receive(
    source.body,
    source.declaredSize === null ? Infinity : limit,
  );
  const version = crypto.randomUUID();
  let committed = false;
  try {
    const { id, replaced } = await runAs(ctx.sql, target.scope, async (tx) => {
      const result = await writeObject(tx, {
        bucket: target.bucket,
        name: target.key,
        owner: target.owner,
        ownerId: target.ownerId,
        metadata: objectMetadata(
          received.size,
          received.md5,
          source.mimetype,
          source.cacheControl,
        ),
        version,
        // A new row's user_metadata is {} on Storage (D16).
        userMetadata: source.userMetadata ?? {},
      }, target.upsert);
      // The bytes go into place before the row commits, so a committed row always has bytes.
      await ctx.blobs.commit(received.tmp, version);
      return result;
    });
    committed = true;
    if (replaced && replaced !== version) await ctx.blobs.discard(replaced);
    return jsonResponse({ Id: id, Key: `${target.bucket}/${target.key}` });
  } finally {
    if (!committed) await ctx.blobs.discard(received.tmp, version);
  }
}

// supabase-js sends raw bodies with content-type and cache-control headers, and Blobs/FormData
// as multipart with `cacheControl` and `metadata` fields (the file's own type is the MIME type).
async function readSource(req: Request): Promise<UploadSource> {
  const contentType = req.headers.get("content-type") ?? "";
  if (contentType.toLowerCase().startsWith("multipart/form-data")) {
    const parts = parseMultipart(new Uint8Array(await req.arrayBuffer()), contentType);
    if (!parts) throw simErrors.invalidRequest("malformed multipart body");
    const file = parts.find((p) => p.filename !== null || p.contentType !== null);
    if (!file) throw simErrors.invalidRequest("No content provided");
    const field = (name: string) => {
      const part = parts.find((p) => p !== file && p.name === name);
      return part ? new TextDecoder().decode(part.data) : null;
    };
    const cache = field("cacheControl");
    const meta = field("metadata");
    return {
      body: new Blob([file.data]).stream(),
      // busboy's default for a part without Content-Type.
      mimetype: file.contentType || "text/plain",
      cacheControl: cache !== null ? `max-age=${cache}` : "no-cache",
      declaredSize: file.data.byteLength,
      userMetadata: meta !== null ? parseMetadata(meta) : null,
    };
  }
  const length = req.headers.get("content-length");
  const header = req.headers.get("x-metadata");
  let userMetadata: Record<string, unknown> | null = null;
  if (header) {
    try {
      userMetadata = parseMetadata(atob(header));
    } catch {
      throw simErrors.invalidRequest("Invalid x-metadata header");
    }
  }
  return {
    body: req.body,
    mimetype: contentType || "application/octet-stream",
    cacheControl: req.headers.get("cache-control") ?? "no-cache",
    declaredSize: length && /^\d+$/.test(length) ? Number(length) : null,
    userMetadata,
  };
}

function parseMetadata(raw: string): Record<string, unknown> {
  const value = JSON.parse(raw);
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw simErrors.invalidRequest("metadata must be a JSON object");
  }
  return value;
}
