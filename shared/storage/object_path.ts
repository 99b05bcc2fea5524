/**
 * Path and bucket checks applied before any storage call. Paths come from requests and rows, so
 * they are treated as hostile: no traversal, no absolute or empty segments, no control
 * characters, and only the characters Supabase Storage accepts in keys.
 */
import { ObjectStoreError } from "./storage_errors.ts";

/** Longest key we send (Storage's own limit is 1024 bytes). */
export const MAX_OBJECT_PATH_LENGTH = 1024;

// Storage's key alphabet (S3 "safe" characters plus a few it handles specially); anything else
// is refused by the server with InvalidKey, so we refuse it first with a clearer message. `?`
// is refused too, though Storage takes it: supabase-js puts the key into URLs unencoded, so a
// `?` would end the path there and the object signed or read would not be the one checked.
const KEY_CHARS = /^[\w/!\-.*'() &$@=;:+,]*$/;
const BUCKET_NAME = /^[A-Za-z0-9][\w!\-.*'() &$@=;:+,]{0,99}$/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a path is unsafe, or null when it is fine. */
export function objectPathProblem(path: string): string | null {
  if (typeof path !== "string" || path.length === 0) return "is empty";
  if (new TextEncoder().encode(path).length > MAX_OBJECT_PATH_LENGTH) return "is too long";
  if (CONTROL.test(path)) return "contains a control character";
  if (path.includes("\\")) return "contains a backslash";
  if (path.startsWith("/")) return "starts with '/'";
  if (path.endsWith("/")) return "ends with '/'";
  for (const segment of path.split("/")) {
    if (segment === "") return "has an empty segment";
    if (segment === "." || segment === "..") return `has a '${segment}' segment`;
    if (segment.trim() !== segment) return "has a segment with surrounding spaces";
  }
  if (!KEY_CHARS.test(path)) return "contains a character Storage does not accept";
  return null;
}

/** Throws `invalid_path` unless `path` is a safe object key. */
export function assertSafeObjectPath(path: string): void {
  const problem = objectPathProblem(path);
  if (problem) {
    throw new ObjectStoreError("invalid_path", `Object path ${JSON.stringify(path)} ${problem}`);
  }
}

/** Throws `invalid_path` unless `bucket` is a plausible bucket id. */
export function assertBucketName(bucket: string): void {
  if (typeof bucket !== "string" || !BUCKET_NAME.test(bucket) || bucket.trim() !== bucket) {
    throw new ObjectStoreError("invalid_path", `Bucket name ${JSON.stringify(bucket)} is invalid`);
  }
}

/** Checks a bucket and a path together (the usual entry check of every port method). */
export function assertSafeRef(bucket: string, path: string): void {
  assertBucketName(bucket);
  assertSafeObjectPath(path);
}
