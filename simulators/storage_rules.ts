/**
 * Storage's input rules, as supabase/storage applies them: the key and bucket-name alphabets,
 * a bucket's `allowed_mime_types` (with `type/*` wildcards) and `file_size_limit` (capped by the
 * server-wide upload limit).
 */
import { simErrors } from "./storage_responses.ts";

/** A bucket row as the rules need it. */
export interface BucketRow {
  id: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

// supabase/storage's isValidKey / isValidBucketName alphabets.
const KEY = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;
const BUCKET = /^(\w|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;

/** Throws InvalidKey unless `key` is a key Storage accepts. */
export function mustBeValidKey(key: string): void {
  if (key.length === 0 || key.length > 1024 || !KEY.test(key)) throw simErrors.invalidKey(key);
}

/** Throws InvalidBucketName unless `name` is a bucket name Storage accepts. */
export function mustBeValidBucketName(name: string): void {
  if (name.length === 0 || name.length > 100 || !BUCKET.test(name)) {
    throw simErrors.invalidBucketName();
  }
}

/** The type part of a Content-Type (`image/png; q=1` → `image/png`), lower-cased. */
export function baseMime(contentType: string): string {
  return contentType.split(";")[0].trim().toLowerCase();
}

/** Whether the bucket accepts `contentType` (no list, or an empty one, accepts everything). */
export function mimeAllowed(contentType: string, allowed: string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true;
  const [type, subtype] = baseMime(contentType).split("/");
  if (!type || !subtype) return false;
  return allowed.some((entry) => {
    const [aType, aSub] = baseMime(entry).split("/");
    return (aType === "*" || aType === type) && (aSub === "*" || aSub === subtype);
  });
}

/** Throws InvalidMimeType unless the bucket accepts `contentType`. */
export function mustBeAllowedMime(contentType: string, bucket: BucketRow): void {
  if (!mimeAllowed(contentType, bucket.allowed_mime_types)) {
    throw simErrors.invalidMime(contentType);
  }
}

/** The largest object the bucket accepts, in bytes. */
export function maxObjectSize(bucket: BucketRow, globalLimit: number): number {
  const limit = bucket.file_size_limit;
  return limit != null && limit > 0 ? Math.min(limit, globalLimit) : globalLimit;
}

/** Throws EntityTooLarge when `size` exceeds what the bucket accepts. */
export function mustFit(size: number, bucket: BucketRow, globalLimit: number): void {
  if (size > maxObjectSize(bucket, globalLimit)) throw simErrors.tooLarge();
}
