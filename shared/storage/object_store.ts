/**
 * The `ObjectStore` port (DESIGN.md section 9): everything the functions do with object storage.
 * One adapter implements it over supabase-js's storage client (supabase_object_store.ts); tests
 * run that same adapter against the local Storage simulator, so no code path is faked.
 *
 * Paths are object keys inside a bucket, never starting with the bucket name
 * (`{user_id}/{job_id}/0.png`). Every method refuses unsafe paths (see object_path.ts) and
 * fails with an {@link ObjectStoreError} (storage_errors.ts).
 */

/** An object's address. */
export interface ObjectRef {
  bucket: string;
  path: string;
}

/**
 * What {@link ObjectStore.put} accepts. Streams (and Blobs, sent as streams) are sent as they
 * are read, never buffered, and counted: past the bucket's size limit the upload is cut off with
 * `too_large`, since Storage itself never checks an upload of unknown size (D1).
 */
export type ObjectBody = Uint8Array | ReadableStream<Uint8Array> | Blob;

/** Options for {@link ObjectStore.put}. */
export interface PutOptions {
  /**
   * MIME type stored with the object, sent bare and lower-case (`Image/PNG; q=1` goes out as
   * `image/png`: Storage refuses parameters and capitals with 415, D5) and checked against the
   * bucket's allowed types.
   */
  contentType: string;
  /** Replace an existing object instead of failing with `conflict`. @default false */
  upsert?: boolean;
  /** `Cache-Control: max-age` served with the object, in seconds. @default 3600 */
  cacheControl?: number;
}

/** A stored object as returned by put, copy and move. */
export interface StoredObject extends ObjectRef {
  /** Storage's object id, when the API returns it. */
  id?: string;
}

/** A streamed download. The caller must consume or cancel `body`. */
export interface DownloadedObject {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  /** Bytes, from Content-Length; null when the server did not send it. */
  size: number | null;
  etag: string | null;
}

/** Metadata of one object. */
export interface ObjectInfo extends ObjectRef {
  id: string;
  size: number;
  contentType: string;
  etag: string | null;
  cacheControl: string | null;
  /** ISO-8601. */
  lastModified: string | null;
  createdAt: string | null;
}

/** One entry of {@link ObjectStore.list}: an object, or a folder (`id` null). */
export interface ListEntry {
  name: string;
  id: string | null;
  size: number | null;
  contentType: string | null;
  updatedAt: string | null;
}

/**
 * Options for {@link ObjectStore.list}: a page of one folder level, in Storage's order
 * (`lower(name)`, code-unit order, files and folders mixed, D7).
 */
export interface ListOptions {
  /** 1 to 1000 (Storage refuses 0, D10). @default 100 */
  limit?: number;
  /** @default 0 */
  offset?: number;
}

/**
 * What the caller already knows about the source of a copy or move (from a row it wrote when
 * it stored the object), so the destination bucket's rules are checked without asking Storage.
 */
export interface TransferOptions {
  source?: { size: number; contentType: string };
}

/** Options for {@link ObjectStore.signedUrl}. */
export interface SignedUrlOptions {
  /** Serve as an attachment (`true`: original name; a string: that file name). */
  download?: boolean | string;
}

/** A signed URL for one path of a batch; `url` is null when that object cannot be signed. */
export interface SignedUrlResult {
  path: string;
  url: string | null;
  error: string | null;
}

/** The storage port. */
export interface ObjectStore {
  /** Uploads an object; `conflict` when it exists and `upsert` is not set. */
  put(bucket: string, path: string, body: ObjectBody, opts: PutOptions): Promise<StoredObject>;
  /**
   * Copies an object server-side (nothing passes through this process), across buckets if
   * needed; `conflict` when the target exists. The destination bucket's size limit and MIME
   * list are checked first (`too_large`, `mime_not_allowed`): Storage does not check them (D6).
   */
  copy(from: ObjectRef, to: ObjectRef, opts?: TransferOptions): Promise<StoredObject>;
  /** Moves an object, across buckets if needed, with the same checks; the source is gone. */
  move(from: ObjectRef, to: ObjectRef, opts?: TransferOptions): Promise<StoredObject>;
  /**
   * Removes objects (missing ones are ignored) in requests of at most 1000 paths, Storage's
   * batch size; returns the paths actually removed.
   */
  remove(bucket: string, paths: string[]): Promise<string[]>;
  /** Streams an object; `not_found` when it is missing (or not visible to the caller). */
  download(bucket: string, path: string): Promise<DownloadedObject>;
  /** The object's metadata, or null when it does not exist. */
  info(bucket: string, path: string): Promise<ObjectInfo | null>;
  /** Whether the object exists (and is visible to the caller). */
  exists(bucket: string, path: string): Promise<boolean>;
  /**
   * One page of one folder level: objects and sub-folders directly under `prefix` (matched
   * case-insensitively, as Storage does, D8). A bucket that does not exist lists nothing (D9).
   */
  list(bucket: string, prefix: string, opts?: ListOptions): Promise<ListEntry[]>;
  /** Every entry of one folder level, fetched in pages of `pageSize`. */
  listAll(bucket: string, prefix: string, opts?: { pageSize?: number }): AsyncIterable<ListEntry>;
  /** An absolute URL that serves the object without auth until it expires. */
  signedUrl(
    bucket: string,
    path: string,
    expiresInSeconds: number,
    opts?: SignedUrlOptions,
  ): Promise<string>;
  /** Signs many paths in one request; missing objects get `url: null`. */
  signedUrls(bucket: string, paths: string[], expiresInSeconds: number): Promise<SignedUrlResult[]>;
  /** The public URL of an object in a public bucket (no request is made). */
  publicUrl(bucket: string, path: string): string;
}
