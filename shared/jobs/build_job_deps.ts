/** Builds the job flow's dependencies for a function process. */
import { createGroupCommit } from "../db/group_commit.ts";
import type { FunctionDeps } from "../function_deps.ts";
import { providerSecretAllowlist } from "../providers/provider_secrets.ts";
import { ProviderRegistry } from "../providers/registry.ts";
import { createSupabaseObjectStore } from "../storage/supabase_object_store.ts";
import type { JobDeps } from "./job_deps.ts";

declare const EdgeRuntime: { waitUntil(p: Promise<unknown>): void } | undefined;

/**
 * Wires registry, storage and clock. `env` is read lazily (provider secrets are looked up by the
 * names in api_providers when a model is resolved).
 */
export function buildJobDeps(
  deps: FunctionDeps,
  env: (name: string) => string | undefined,
): JobDeps {
  const supabaseUrl = deps.config.SUPABASE_URL.replace(/\/+$/, "");
  const serviceKey = deps.config.SUPABASE_SECRET_KEY ?? deps.config.SUPABASE_SERVICE_ROLE_KEY;
  if (!serviceKey) {
    throw new Error("SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_SECRET_KEY) is required for Storage");
  }
  return {
    db: deps.db,
    commits: createGroupCommit(deps.db),
    registry: new ProviderRegistry({
      db: deps.db,
      env,
      log: deps.log,
      secretAllowlist: providerSecretAllowlist(deps.config.PROVIDER_SECRET_NAMES),
    }),
    store: createSupabaseObjectStore({ url: supabaseUrl, key: serviceKey }),
    log: deps.log,
    functionsUrl: (deps.config.PUBLIC_FUNCTIONS_URL ?? `${supabaseUrl}/functions/v1`).replace(
      /\/+$/,
      "",
    ),
    storageOrigin: new URL(supabaseUrl).origin,
    env,
    now: () => new Date(),
    random: () => crypto.getRandomValues(new Uint32Array(1))[0],
    background: (work) => {
      const guarded = work.catch((err) => deps.log.error("background work failed", { err }));
      // On the edge runtime the isolate is kept alive until the work settles.
      if (typeof EdgeRuntime !== "undefined") EdgeRuntime.waitUntil(guarded);
    },
  };
}
