/**
 * Storage's input rules, as supabase/storage applies them: the key and bucket-name alphabets
 * (and no `.` or `..` segment, D15), a bucket's `allowed_mime_types` (exact match, `type/*`
 * wildcards; the rule itself lives in shared/storage/bucket_rules.ts) and `file_size_limit`
 * (capped by the server-wide upload limit).
 */
import { mimeAllowed } from "../shared/storage/bucket_rules.ts";
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
  // Storage refuses dot segments rather than resolving them (D15).
  if (key.split("/").some((s) => s === "." || s === "..")) throw simErrors.invalidKey(key);
}

/** Throws InvalidBucketName unless `name` is a bucket name Storage accepts. */
export function mustBeValidBucketName(name: string): void {
  if (name.length === 0 || name.length > 100 || !BUCKET.test(name)) {
    throw simErrors.invalidBucketName();
  }
}

/** Throws InvalidMimeType unless the bucket accepts `contentType` (as sent: no normalising). */
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
