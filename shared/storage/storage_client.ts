/**
 * The supabase-js storage client the adapter talks through, and how its `{data, error}` answers
 * become values or {@link ObjectStoreError}s. Kept apart from the adapter's methods so both stay
 * small: this file knows supabase-js, the adapter knows the port.
 */
import { lazy } from "../lazy.ts";
import type { Logger } from "../log.ts";
import type { BucketRules } from "./bucket_rules.ts";
import { ObjectStoreError, toObjectStoreError } from "./storage_errors.ts";

/** How the adapter reaches Storage. */
export interface ClientOptions {
  url: string;
  key: string;
  accessToken?: string;
  fetch?: typeof fetch;
}

/** Whose credentials a store uses: the service key, or a user's (or anon) token. */
export type StoreRole = "service" | "user";

/** The role a key stands for: a secret key or a service_role JWT is the service. */
export function roleOfKey(key: string, accessToken?: string): StoreRole {
  if (accessToken) return "user";
  if (key.startsWith("sb_secret_")) return "service";
  try {
    const payload = key.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(payload + "=".repeat((4 - payload.length % 4) % 4)));
    return claims.role === "service_role" ? "service" : "user";
  } catch {
    return "user";
  }
}

/**
 * Builds the client lazily (supabase-js costs about 50 ms of start-up a function may not need)
 * and a fetch that remembers each response's headers by body: `download().asStream()` returns
 * only the body, and Content-Type and Content-Length come from there without buffering.
 */
export function createStorageClient(opts: ClientOptions) {
  const baseFetch = opts.fetch ?? fetch;
  const headersByBody = new WeakMap<object, Headers>();
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await baseFetch(input, init);
    if (res.body) headersByBody.set(res.body, res.headers);
    return res;
  };
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
  return {
    storage,
    headersOf: (body: object) => headersByBody.get(body),
    api: async (bucket: string) => (await storage()).from(bucket),
  };
}

/**
 * Runs one supabase-js call and returns its data, or throws an {@link ObjectStoreError}. On a
 * service store, a 403 (or an InvalidJWT) can only mean Storage refused our key: the real server
 * never says "bad key" (it answers a write 403 and a read 404, D2/D3), so it is reported as
 * `misconfigured` and logged as an operator's problem, not the caller's.
 */
export async function storageCall<T>(
  role: StoreRole,
  log: Logger | undefined,
  context: string,
  op: () => Promise<{ data: T | null; error: unknown }>,
): Promise<T> {
  let result: { data: T | null; error: unknown };
  try {
    result = await op();
  } catch (err) {
    throw toObjectStoreError(err, context);
  }
  if (!result.error) return result.data as T;
  const err = toObjectStoreError(result.error, context);
  if (role === "service" && (err.code === "forbidden" || err.code === "unauthorized")) {
    log?.error("storage refused the service key (check SUPABASE_SERVICE_ROLE_KEY)", {
      context,
      status: err.status,
      storage_code: err.storageCode,
    });
    throw new ObjectStoreError("misconfigured", `${context}: Storage refused the service key`, {
      status: err.status,
      storageCode: err.storageCode,
      cause: err,
    });
  }
  throw err;
}

/** The Storage API's bucket row as getBucket returns it. */
interface BucketRow {
  id: string;
  file_size_limit?: number | null;
  allowed_mime_types?: string[] | null;
}

/** Reads a bucket's rules through the Storage API; null when it does not exist. */
export function bucketRulesLoader(
  client: ReturnType<typeof createStorageClient>,
  role: StoreRole,
  log: Logger | undefined,
) {
  return async (bucket: string): Promise<BucketRules | null> => {
    try {
      const row = await storageCall<BucketRow>(
        role,
        log,
        `bucket ${bucket}`,
        async () => (await client.storage()).getBucket(bucket) as never,
      );
      return {
        id: row.id,
        fileSizeLimit: row.file_size_limit ?? null,
        allowedMimeTypes: row.allowed_mime_types ?? null,
      };
    } catch (err) {
      if (err instanceof ObjectStoreError && err.code === "not_found") return null;
      throw err;
    }
  };
}
