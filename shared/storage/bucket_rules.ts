/**
 * A bucket's upload rules (`storage.buckets.file_size_limit` and `allowed_mime_types`) and how
 * Storage applies them. The real server checks them on uploads only: a server-side copy or move
 * into a bucket whose rules the object breaks succeeds (storage-fidelity D6), and a streamed
 * upload of unknown size is never held to the limit (D1), so the adapter checks both itself.
 */
import { ObjectStoreError } from "./storage_errors.ts";

/** What a bucket accepts. */
export interface BucketRules {
  id: string;
  /** Bytes; null when the bucket sets none (the server-wide limit still applies). */
  fileSizeLimit: number | null;
  /** Exact types or `type/*`; null or empty accepts every type. */
  allowedMimeTypes: string[] | null;
}

/**
 * Whether Storage accepts `contentType` for a bucket: `type/subtype` compared exactly with each
 * entry (case and parameters included, so `IMAGE/PNG` and `image/png; charset=binary` are
 * refused with 415, D5), `type/*` matching any subtype. No list accepts everything.
 */
export function mimeAllowed(contentType: string, allowed: readonly string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true;
  // Storage splits on "/" and compares the first two parts only.
  const [type, subtype] = contentType.split("/");
  if (subtype === undefined) return false;
  return allowed.some((entry) => {
    const [aType, aSub] = entry.split("/");
    return aType === type && (aSub === "*" || aSub === subtype);
  });
}

// A MIME type as RFC 6838 allows its name: type/subtype of restricted characters.
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/**
 * The bare, lower-case form of a Content-Type (`Image/PNG; q=1` → `image/png`), which is the
 * only form Storage matches against a bucket's list; null when it is not a MIME type at all.
 */
export function bareMime(contentType: string): string | null {
  const bare = contentType.split(";")[0].trim().toLowerCase();
  return MIME.test(bare) ? bare : null;
}

/** The largest object the bucket accepts, given the server-wide limit. */
export function maxObjectBytes(rules: BucketRules | null, globalLimit: number): number {
  const limit = rules?.fileSizeLimit;
  return limit != null && limit > 0 ? Math.min(limit, globalLimit) : globalLimit;
}

/** Looks a bucket's rules up; null when the bucket does not exist. */
export type BucketRulesLoader = (bucket: string) => Promise<BucketRules | null>;

/**
 * Remembers each bucket's rules for `ttlMs`, so a limit changed in the dashboard applies within
 * that time while a copy or upload costs no extra request. A failed lookup is not remembered.
 */
export function cachedRules(
  load: BucketRulesLoader,
  ttlMs = 60_000,
  now: () => number = Date.now,
): BucketRulesLoader {
  const cache = new Map<string, { at: number; rules: Promise<BucketRules | null> }>();
  return (bucket) => {
    const hit = cache.get(bucket);
    if (hit && now() - hit.at < ttlMs) return hit.rules;
    const rules = load(bucket);
    cache.set(bucket, { at: now(), rules });
    rules.catch(() => cache.delete(bucket));
    return rules;
  };
}

/**
 * Refuses an object of `size` bytes and type `contentType` that `rules` would refuse on upload:
 * Storage itself does not check a server-side copy or move (D6), so without this a copy could
 * put a 50 MB video into a bucket for 5 MB images.
 */
export function assertFits(
  rules: BucketRules | null,
  object: { size: number; contentType: string },
  globalLimit: number,
  what: string,
): void {
  const limit = maxObjectBytes(rules, globalLimit);
  if (object.size > limit) {
    throw new ObjectStoreError(
      "too_large",
      `${what}: ${object.size} bytes exceed the bucket's limit of ${limit}`,
    );
  }
  if (!mimeAllowed(object.contentType, rules?.allowedMimeTypes ?? null)) {
    throw new ObjectStoreError(
      "mime_not_allowed",
      `${what}: the bucket does not accept ${object.contentType}`,
    );
  }
}
