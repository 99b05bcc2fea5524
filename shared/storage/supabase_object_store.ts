/**
 * The `ObjectStore` adapter over supabase-js's storage client: the only storage implementation,
 * used in production (hosted Storage) and locally (the Storage simulator behind the gateway).
 */
import { lazy } from "../lazy.ts";
import type {
  DownloadedObject,
  ListEntry,
  ObjectInfo,
  ObjectRef,
  ObjectStore,
  SignedUrlResult,
} from "./object_store.ts";
import { assertBucketName, assertSafeObjectPath, assertSafeRef } from "./object_path.ts";
import { ObjectStoreError, toObjectStoreError } from "./storage_errors.ts";

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
}

// Storage accepts at most this many prefixes per delete request.
const REMOVE_BATCH = 1000;

/**
 * Builds the adapter. The client is created here (not passed in) because downloads stream:
 * supabase-js's `asStream()` returns only the body, so the client's fetch records each
 * response's headers by body to recover Content-Type and Content-Length without buffering.
 */
export function createSupabaseObjectStore(opts: SupabaseObjectStoreOptions): ObjectStore {
  const baseFetch = opts.fetch ?? fetch;
  const headersByBody = new WeakMap<object, Headers>();
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await baseFetch(input, init);
    if (res.body) headersByBody.set(res.body, res.headers);
    return res;
  };
  // Loaded on first use: supabase-js costs about 50 ms of start-up a function may not need.
  const storage = lazy(async () => {
    const { createClient } = await import("@supabase/supabase-js");
    return createClient(opts.url, opts.key, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      global: {
        fetch: recordingFetch,
        headers: opts.accessToken ? { Authorization: `Bearer ${opts.accessToken}` } : {},
      },
    }).storage;
  });
  const storageUrl = `${opts.url.replace(/\/+$/, "")}/storage/v1`;
  const api = async (bucket: string) => (await storage()).from(bucket);

  async function call<T>(
    context: string,
    op: () => Promise<{ data: T | null; error: unknown }>,
  ): Promise<T> {
    let result: { data: T | null; error: unknown };
    try {
      result = await op();
    } catch (err) {
      throw toObjectStoreError(err, context);
    }
    if (result.error) throw toObjectStoreError(result.error, context);
    return result.data as T;
  }

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

  return {
    async put(bucket, path, body, putOpts) {
      assertSafeRef(bucket, path);
      // A Blob would be sent as multipart with its own type; its stream keeps ours and is not
      // buffered.
      const payload = body instanceof Blob ? body.stream() : body;
      const data = await call(
        `put ${bucket}/${path}`,
        async () =>
          (await api(bucket)).upload(path, payload, {
            contentType: putOpts.contentType,
            upsert: putOpts.upsert ?? false,
            cacheControl: String(putOpts.cacheControl ?? 3600),
          }),
      );
      return { bucket, path, id: data.id ?? undefined };
    },

    async copy(from, to) {
      assertSafeRef(from.bucket, from.path);
      assertSafeRef(to.bucket, to.path);
      await call(
        `copy ${ref(from)} -> ${ref(to)}`,
        async () =>
          (await api(from.bucket)).copy(from.path, to.path, { destinationBucket: to.bucket }),
      );
      return { bucket: to.bucket, path: to.path };
    },

    async move(from, to) {
      assertSafeRef(from.bucket, from.path);
      assertSafeRef(to.bucket, to.path);
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
      const headers = headersByBody.get(body);
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

    async list(bucket, prefix, listOpts = {}): Promise<ListEntry[]> {
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
      return data.map((o) => ({
        name: o.name,
        id: o.id ?? null,
        size: typeof o.metadata?.size === "number" ? o.metadata.size : null,
        contentType: typeof o.metadata?.mimetype === "string" ? o.metadata.mimetype : null,
        updatedAt: o.updated_at ?? null,
      }));
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
