/**
 * A job's reference image, checked in full at enqueue so the dispatcher never meets one it
 * cannot use: an object in the caller's own folder of an allowed bucket (given as `{bucket,
 * path}`, or as a URL of our own Storage, which is turned into the same), or an https URL on a
 * host the model's provider serves files from. Anything else is refused before the charge.
 */
import { AppError } from "../errors.ts";
import { objectPathProblem } from "../storage/object_path.ts";
import type { ObjectStore } from "../storage/object_store.ts";
import { REFERENCE_BUCKETS } from "../vocabulary.ts";

/** A reference as the request gave it. */
export type ReferenceInput = { bucket: string; path: string } | { url: string };

/** What the reference check needs. */
export interface ReferenceCheck {
  userId: string;
  store: ObjectStore;
  /** Our Supabase origin (`https://<ref>.supabase.co`); its Storage object URLs are accepted. */
  storageOrigin: string;
  /** Hosts the model's provider serves files from. */
  providerHosts: string[];
}

const field = (message: string, code: "BAD_REQUEST" | "FORBIDDEN" = "BAD_REQUEST") =>
  new AppError(code, `Invalid reference_image: ${message}`, {
    details: [{ field: "reference_image", message }],
  });

/** An IPv4 or IPv6 literal after URL parsing (which turns `2130706433` or `0x7f.1` into dotted form). */
const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[.*\])$/;

/**
 * Checks a reference and returns what the job stores: `bucket/path` for our objects (signed
 * afresh at each dispatch), or the URL on a provider host.
 */
export async function checkReference(ref: ReferenceInput, check: ReferenceCheck): Promise<string> {
  const object = "url" in ref ? storageObjectOf(ref.url, check) : ref;
  if (object) {
    if (!(REFERENCE_BUCKETS as readonly string[]).includes(object.bucket)) {
      throw field("bucket is not allowed", "FORBIDDEN");
    }
    if (objectPathProblem(object.path) || !object.path.startsWith(`${check.userId}/`)) {
      throw field("must be an object in your own folder", "FORBIDDEN");
    }
    if (!await check.store.exists(object.bucket, object.path)) throw field("no such object");
    return `${object.bucket}/${object.path}`;
  }
  const url = parse((ref as { url: string }).url);
  if (url.protocol !== "https:") throw field("must be an https URL or {bucket, path}");
  if (url.username || url.password) throw field("must not carry credentials");
  if (url.port !== "") throw field("must use the default https port");
  const host = url.hostname.toLowerCase();
  if (IP_LITERAL.test(host)) throw field("must name a host, not an IP address");
  if (!check.providerHosts.some((h) => host === h || host.endsWith(`.${h}`))) {
    throw field("URL host is not allowed for this model");
  }
  return url.toString();
}

function parse(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw field("must be an https URL or {bucket, path}");
  }
}

/**
 * The bucket and path of a URL on our own origin. Only Storage object URLs (signed or public)
 * are references there, never other routes of the project; a URL on our host by another scheme
 * or port is not ours and falls to the provider-host rules (which refuse it).
 */
function storageObjectOf(
  raw: string,
  check: ReferenceCheck,
): { bucket: string; path: string } | undefined {
  const url = parse(raw);
  const ours = new URL(check.storageOrigin);
  if (url.hostname.toLowerCase() !== ours.hostname.toLowerCase()) return undefined;
  if (url.origin !== ours.origin) throw field("must use our Storage's own scheme and port");
  const match = url.pathname.match(/^\/storage\/v1\/object\/(?:sign|public)\/([^/]+)\/(.+)$/);
  if (!match) throw field("only Storage object URLs are accepted from this host");
  try {
    return { bucket: decodeURIComponent(match[1]), path: decodeURIComponent(match[2]) };
  } catch {
    throw field("malformed object path");
  }
}
