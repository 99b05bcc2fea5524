/**
 * What every route of the Storage simulator receives, and the parsing helpers they share.
 */
import type { z } from "zod";
import type { Sql } from "../shared/db/client.ts";
import type { BlobStore } from "./storage_blobs.ts";
import { simErrors } from "./storage_responses.ts";

/** The simulator's dependencies. */
export interface SimContext {
  sql: Sql;
  blobs: BlobStore;
  /** The project's JWT secret (verifies access tokens, signs URL tokens). */
  secret: Uint8Array;
  /** The server-wide upload limit in bytes (Storage's FILE_SIZE_LIMIT). */
  globalLimit: number;
}

/** Parses a JSON body with `schema`; Storage's 400 InvalidRequest when it does not fit. */
export async function parseJson<S extends z.ZodType>(
  req: Request,
  schema: S,
): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw simErrors.invalidRequest("body must be JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw simErrors.invalidRequest(`body/${issue.path.join("/")} ${issue.message}`);
  }
  return parsed.data;
}

/** Decodes a percent-encoded key from the URL; InvalidKey when it is malformed. */
export function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw simErrors.invalidKey(raw);
  }
}

/** `<bucket>/<key...>` from a URL path tail. */
export function splitBucketKey(tail: string): { bucket: string; key: string } {
  const slash = tail.indexOf("/");
  if (slash <= 0) return { bucket: decodeKey(tail), key: "" };
  return { bucket: decodeKey(tail.slice(0, slash)), key: decodeKey(tail.slice(slash + 1)) };
}
