/**
 * The service-role object store a function builds once in its composition root: the adapter
 * with the project's service key, reporting a key Storage refuses through the function's logger.
 */
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { ObjectStore } from "./object_store.ts";
import { createSupabaseObjectStore } from "./supabase_object_store.ts";

/** Builds the service store; fails fast when no service key is configured. */
export function serviceObjectStore(config: Config, log: Logger): ObjectStore {
  const key = config.SUPABASE_SECRET_KEY ?? config.SUPABASE_SERVICE_ROLE_KEY;
  if (!key) {
    throw new Error("SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEY) is required for Storage");
  }
  return createSupabaseObjectStore({ url: config.SUPABASE_URL.replace(/\/+$/, ""), key, log });
}
