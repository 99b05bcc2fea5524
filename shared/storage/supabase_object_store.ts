/**
 * The `ObjectStore` adapter over supabase-js's storage client: the only storage implementation,
 * used in production (hosted Storage) and locally (the Storage simulator behind the gateway).
 * Where the real server does less than the port promises, the adapter does it: streamed
 * uploads are counted and cut off at the bucket's limit (D1), MIME types go out bare and
 * lower-case (D5), copies and moves are checked against the destination bucket (D6), and a
 * service key Storage refuses is reported as `misconfigured` (D2, D3).
 */
import type { Logger } from "../log.ts";
import { assertFits, bareMime, cachedRules, maxObjectBytes } from "./bucket_rules.ts";
import type {
  DownloadedObject,
  ListEntry,
  ObjectInfo,
  ObjectRef,
  ObjectStore,
  SignedUrlResult,
  TransferOptions,
} from "./object_store.ts";
import { assertBucketName, assertSafeObjectPath, assertSafeRef } from "./object_path.ts";
import {
  bucketRulesLoader,
  createStorageClient,
  roleOfKey,
  storageCall,
  type StoreRole,
} from "./storage_client.ts";
import { ObjectStoreError } from "./storage_errors.ts";
import { capStream } from "./upload_cap.ts";

/** Options for {@link createSupabaseObjectStore}. */
export interface SupabaseObjectStoreOptions {
  /** The project URL (`SUPABASE_URL`); Storage is reached at `<url>/storage/v1`. */
  url: string;
  /** API key sent as `apikey`: the service-role key, or the anon key for a user's store. */
  key: string;
  /** A user's access token, sent as the Bearer token so Storage applies that user's RLS. */
  accessToken?: string;
  /** fetch to use (tests, instrumentation). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Where a refused service key is reported. */
  log?: Logger;
  /** Storage's server-wide upload limit (`FILE_SIZE_LIMIT`). @default 50 MiB */
  globalLimitBytes?: number;
  /** How long a bucket's rules are trusted. @default 60 s */
  rulesTtlMs?: number;
  /** Whose key this is; by default read from the key (a service_role JWT or `sb_secret_`). */
  role?: StoreRole;
}

// Storage accepts at most this many prefixes per delete request.
const REMOVE_BATCH = 1000;

/** Builds the adapter. */
export function createSupabaseObjectStore(opts: SupabaseObjectStoreOptions): ObjectStore {
  const client = createStorageClient(opts);
  const role = opts.role ?? roleOfKey(opts.key, opts.accessToken);
  const globalLimit = opts.globalLimitBytes ?? 50 * 1024 * 1024;
  const rules = cachedRules(bucketRulesLoader(client, role, opts.log), opts.rulesTtlMs);
  const storageUrl = `${opts.url.replace(/\/+$/, "")}/storage/v1`;
  const { api } = client;
  const call = <T>(context: string, op: () => Promise<{ data: T | null; error: unknown }>) =>
    storageCall(role, opts.log, context, op);

  const info = async (bucket: string, path: string): Promise<ObjectInfo | null> => {
    assertSafeRef(bucket, path);
    try {
      const data = await call(`info ${bucket}/${path}`, async () => (await api(bucket)).info(path));
      return {
        bucket,
        path,
        id: data.id,
        size: data.size ?? 0,
        contentType: data.contentType ?? "application/octet-stream",
        etag: data.etag ?? null,
        cacheControl: data.cacheControl ?? null,
        lastModified: data.lastModified ?? null,
        createdAt: data.createdAt ?? null,
      };
    } catch (err) {
      if (err instanceof ObjectStoreError && err.code === "not_found") return null;
      throw err;
    }
  };

  // The destination bucket's rules, checked against the source: Storage skips this (D6).
  const checkTransfer = async (from: ObjectRef, to: ObjectRef, t: TransferOptions = {}) => {
    assertSafeRef(from.bucket, from.path);
    assertSafeRef(to.bucket, to.path);
    const [source, target] = await Promise.all([
      t.source ?? info(from.bucket, from.path),
      rules(to.bucket),
    ]);
    if (!source) throw new ObjectStoreError("not_found", `${ref(from)}: object not found`);
    assertFits(target, source, globalLimit, `${ref(from)} -> ${ref(to)}`);
  };

  const list = async (
    bucket: string,
    prefix: string,
    listOpts: { limit?: number; offset?: number } = {},
  ) => {
    assertBucketName(bucket);
    if (prefix !== "") assertSafeObjectPath(prefix);
    const data = await call(
      `list ${bucket}/${prefix}`,
      async () =>
        (await api(bucket)).list(prefix, {
          limit: listOpts.limit ?? 100,
          offset: listOpts.offset ?? 0,
          sortBy: { column: "name", order: "asc" },
        }),
    );
    return data.map((o): ListEntry => ({
      name: o.name,
      id: o.id ?? null,
      size: typeof o.metadata?.size === "number" ? o.metadata.size : null,
      contentType: typeof o.metadata?.mimetype === "string" ? o.metadata.mimetype : null,
      updatedAt: o.updated_at ?? null,
    }));
  };

  return {
    async put(bucket, path, body, putOpts) {
      assertSafeRef(bucket, path);
      const contentType = bareMime(putOpts.contentType);
      if (!contentType) {
        throw new ObjectStoreError("invalid_request", `Not a MIME type: ${putOpts.contentType}`);
      }
      const what = `put ${bucket}/${path}`;
      const limit = maxObjectBytes(await rules(bucket), globalLimit);
      const known = body instanceof Uint8Array
        ? body.byteLength
        : body instanceof Blob
        ? body.size
        : null;
      if (known !== null && known > limit) {
        throw new ObjectStoreError("too_large", `${what}: ${known} bytes exceed ${limit}`);
      }
      // A Blob would be sent as multipart with its own type; as a stream it keeps ours. Streams
      // carry no Content-Length, so they are counted here.
      const stream = body instanceof Blob
        ? body.stream()
        : body instanceof Uint8Array
        ? null
        : body;
      const capped = stream ? capStream(stream, limit, what) : null;
      try {
        const data = await call(
          what,
          async () =>
            (await api(bucket)).upload(path, capped?.stream ?? body as Uint8Array, {
              contentType,
              upsert: putOpts.upsert ?? false,
              cacheControl: String(putOpts.cacheControl ?? 3600),
            }),
        );
        return { bucket, path, id: data.id ?? undefined };
      } catch (err) {
        if (capped?.exceeded()) {
          throw new ObjectStoreError("too_large", `${what}: more than ${limit} bytes`, {
            cause: err,
          });
        }
        throw err;
      }
    },

    async copy(from, to, t) {
      await checkTransfer(from, to, t);
      await call(
        `copy ${ref(from)} -> ${ref(to)}`,
        async () =>
          (await api(from.bucket)).copy(from.path, to.path, { destinationBucket: to.bucket }),
      );
      return { bucket: to.bucket, path: to.path };
    },

    async move(from, to, t) {
      await checkTransfer(from, to, t);
      await call(
        `move ${ref(from)} -> ${ref(to)}`,
        async () =>
          (await api(from.bucket)).move(from.path, to.path, { destinationBucket: to.bucket }),
      );
      return { bucket: to.bucket, path: to.path };
    },

    async remove(bucket, paths) {
      assertBucketName(bucket);
      paths.forEach(assertSafeObjectPath);
      const removed: string[] = [];
      for (let i = 0; i < paths.length; i += REMOVE_BATCH) {
        const batch = paths.slice(i, i + REMOVE_BATCH);
        const data = await call(
          `remove ${bucket} (${batch.length})`,
          async () => (await api(bucket)).remove(batch),
        );
        removed.push(...(data ?? []).map((o) => o.name));
      }
      return removed;
    },

    async download(bucket, path): Promise<DownloadedObject> {
      assertSafeRef(bucket, path);
      const body = await call(
        `download ${bucket}/${path}`,
        async () => (await api(bucket)).download(path).asStream(),
      );
      if (!body) {
        throw new ObjectStoreError("upstream", `download ${bucket}/${path}: empty response`);
      }
      const headers = client.headersOf(body);
      const length = headers?.get("content-length");
      return {
        body: body as ReadableStream<Uint8Array>,
        contentType: headers?.get("content-type") ?? "application/octet-stream",
        size: length != null && /^\d+$/.test(length) ? Number(length) : null,
        etag: headers?.get("etag") ?? null,
      };
    },

    info,

    async exists(bucket, path) {
      return (await info(bucket, path)) !== null;
    },

    list,

    async *listAll(bucket, prefix, pageOpts = {}) {
      const limit = Math.min(Math.max(pageOpts.pageSize ?? 100, 1), 1000);
      for (let offset = 0;; offset += limit) {
        const page = await list(bucket, prefix, { limit, offset });
        yield* page;
        if (page.length < limit) return;
      }
    },

    async signedUrl(bucket, path, expiresInSeconds, signOpts = {}) {
      assertSafeRef(bucket, path);
      assertExpiry(expiresInSeconds);
      const data = await call(
        `sign ${bucket}/${path}`,
        async () =>
          (await api(bucket)).createSignedUrl(path, expiresInSeconds, {
            download: signOpts.download,
          }),
      );
      return data.signedUrl;
    },

    async signedUrls(bucket, paths, expiresInSeconds): Promise<SignedUrlResult[]> {
      assertBucketName(bucket);
      paths.forEach(assertSafeObjectPath);
      assertExpiry(expiresInSeconds);
      if (paths.length === 0) return [];
      const data = await call(
        `sign ${bucket} (${paths.length})`,
        async () => (await api(bucket)).createSignedUrls(paths, expiresInSeconds),
      );
      return data.map((d, i) => ({
        path: d.path ?? paths[i],
        url: d.signedUrl ?? null,
        error: d.error ?? null,
      }));
    },

    publicUrl(bucket, path) {
      assertSafeRef(bucket, path);
      // What supabase-js's getPublicUrl returns, without loading it for a string.
      return encodeURI(`${storageUrl}/object/public/${bucket}/${path.replace(/^\/+/, "")}`);
    },
  };
}

const ref = (r: ObjectRef) => `${r.bucket}/${r.path}`;

function assertExpiry(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new ObjectStoreError("invalid_request", `expiresIn must be a positive integer`);
  }
}
