/**
 * The local Storage simulator: the subset of the Supabase Storage REST API that supabase-js's
 * StorageFileApi uses, mounted on the gateway at `/storage/v1`. Object bytes live on disk under
 * `dir`, rows in the real `storage.objects`, and user tokens run the project's real storage
 * policies. See docs/storage.md for coverage and the known deviations.
 */
import { createDb } from "../shared/db/client.ts";
import { authenticate } from "./storage_auth.ts";
import { createBlobStore } from "./storage_blobs.ts";
import { serveBucket } from "./storage_bucket.ts";
import { decodeKey, type SimContext, splitBucketKey } from "./storage_context.ts";
import { handleList } from "./storage_list.ts";
import { handleCopy, handleDeleteOne, handleMove, handleRemove } from "./storage_manage.ts";
import { serveInfo, serveObject, servePublic, serveSigned } from "./storage_read.ts";
import {
  errorResponse,
  preflight,
  routeNotFound,
  simErrors,
  StorageSimError,
} from "./storage_responses.ts";
import {
  handleSign,
  handleSignedUpload,
  handleSignMany,
  handleSignUpload,
} from "./storage_sign.ts";
import { handleUpload } from "./storage_upload.ts";

/** Options for {@link startStorageSim}. */
export interface StorageSimOptions {
  /** Database holding storage.buckets / storage.objects (the project's migrated schema). */
  dbUrl: string;
  /** The project's HS256 JWT secret. */
  jwtSecret: string;
  /** Folder for object bytes (created if missing; the caller removes it). */
  dir: string;
  /** Server-wide upload limit in bytes, like Storage's FILE_SIZE_LIMIT. @default 50 MiB */
  fileSizeLimit?: number;
  /** Called with unexpected errors (answered as 500 InternalError). */
  log?: (line: string) => void;
}

/**
 * A handler for the gateway's `/storage/v1` prefix: the request and its path below the prefix.
 * The same shape as the gateway's `Mount`, so the stack mounts it as is.
 */
export type StorageHandler = (req: Request, path: string) => Promise<Response>;

/** A running simulator. */
export interface StorageSim {
  /** The gateway handler for `/storage/v1`. */
  mount: StorageHandler;
  /** Closes the database pool (the bytes under `dir` stay). */
  stop(): Promise<void>;
}

/** Starts the simulator. */
export async function startStorageSim(opts: StorageSimOptions): Promise<StorageSim> {
  const sql = createDb(opts.dbUrl, { max: 4, applicationName: "storage-simulator" });
  const ctx: SimContext = {
    sql,
    blobs: await createBlobStore(opts.dir),
    secret: new TextEncoder().encode(opts.jwtSecret),
    globalLimit: opts.fileSizeLimit ?? 50 * 1024 * 1024,
  };
  const mount: StorageHandler = async (req, path) => {
    if (req.method === "OPTIONS") return preflight(req);
    try {
      return await route(ctx, req, path);
    } catch (err) {
      await drain(req);
      if (err instanceof StorageSimError) return errorResponse(err);
      opts.log?.(`storage simulator: ${req.method} ${path}: ${err}`);
      return errorResponse(simErrors.internal());
    }
  };
  return { mount, stop: () => sql.end({ timeout: 2 }) };
}

async function route(ctx: SimContext, req: Request, path: string): Promise<Response> {
  const m = req.method;
  const read = m === "GET" || m === "HEAD";
  const tail = (prefix: string) => path.startsWith(prefix) ? path.slice(prefix.length) : null;
  const caller = () => authenticate(req, ctx.secret);
  // Plain object reads take a missing or bad token as the anonymous role (D2).
  const reader = () => authenticate(req, ctx.secret, "anonymous-if-invalid");
  let rest: string | null;

  // Routes reached without an access token (the token is in the URL, or the bucket is public).
  if ((rest = tail("/object/sign/")) !== null && read) {
    const { bucket, key } = splitBucketKey(rest);
    return await serveSigned(ctx, req, bucket, key);
  }
  if ((rest = tail("/object/upload/sign/")) !== null && m === "PUT") {
    const { bucket, key } = splitBucketKey(rest);
    return await handleSignedUpload(ctx, req, bucket, key);
  }
  if ((rest = tail("/object/public/")) !== null && read) {
    const { bucket, key } = splitBucketKey(rest);
    return await servePublic(ctx, req, bucket, key);
  }
  if ((rest = tail("/object/info/public/")) !== null && m === "GET") {
    const { bucket, key } = splitBucketKey(rest);
    await servePublic(ctx, new Request(req.url, { method: "HEAD" }), bucket, key);
    return await serveInfo(ctx, bucket, key, "superuser");
  }

  if (m === "POST" && path === "/object/copy") return await handleCopy(ctx, req, await caller());
  if (m === "POST" && path === "/object/move") return await handleMove(ctx, req, await caller());
  if ((rest = tail("/object/sign/")) !== null && m === "POST") {
    const { bucket, key } = splitBucketKey(rest);
    return key === ""
      ? await handleSignMany(ctx, req, bucket, await caller())
      : await handleSign(ctx, req, bucket, key, await caller());
  }
  if ((rest = tail("/object/upload/sign/")) !== null && m === "POST") {
    const { bucket, key } = splitBucketKey(rest);
    return await handleSignUpload(ctx, req, bucket, key, await caller());
  }
  if ((rest = tail("/object/list/")) !== null && m === "POST") {
    return await handleList(ctx, req, splitBucketKey(rest).bucket, await caller());
  }
  if ((rest = tail("/object/info/authenticated/")) !== null && m === "GET") {
    const { bucket, key } = splitBucketKey(rest);
    return await serveInfo(ctx, bucket, key, await caller());
  }
  if ((rest = tail("/object/info/")) !== null && m === "GET") {
    const { bucket, key } = splitBucketKey(rest);
    return await serveInfo(ctx, bucket, key, await reader());
  }
  if ((rest = tail("/bucket/")) !== null && m === "GET" && !rest.includes("/")) {
    return await serveBucket(ctx, decodeKey(rest), await caller());
  }
  if ((rest = tail("/object/authenticated/")) !== null && read) {
    const { bucket, key } = splitBucketKey(rest);
    return await serveObject(ctx, req, bucket, key, await caller());
  }
  if ((rest = tail("/object/")) !== null) {
    const { bucket, key } = splitBucketKey(rest);
    if (m === "DELETE") {
      return key === ""
        ? await handleRemove(ctx, req, bucket, await caller())
        : await handleDeleteOne(ctx, bucket, key, await caller());
    }
    if (key !== "" && read) return await serveObject(ctx, req, bucket, key, await reader());
    if (key !== "" && (m === "POST" || m === "PUT")) {
      const who = await caller();
      return await handleUpload(ctx, req, {
        bucket,
        key,
        // PUT is supabase-js's update(), which Storage treats as an upsert.
        upsert: m === "PUT" || req.headers.get("x-upsert") === "true",
        scope: who,
        owner: who.owner,
        ownerId: who.ownerId,
      });
    }
  }
  return routeNotFound(m, path);
}

// An error answered before the client has sent its whole body reaches HTTP clients as a broken
// connection instead of the error body, so an unread upload is read and dropped first.
async function drain(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed || req.body.locked) return;
  try {
    for await (const _ of req.body) { /* dropped */ }
  } catch { /* the client went away */ }
}
