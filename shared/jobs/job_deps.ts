/**
 * What the job flow (enqueue, dispatch, deliveries, reconciliation) depends on, and how a
 * function process builds it. It takes the parsed config, the pool and the logger, never the
 * HTTP layer: the job flow runs the same behind a route, a scheduler or a test.
 */
import { type Background, createBackground } from "../background.ts";
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { createGroupCommit, type GroupCommit } from "../db/group_commit.ts";
import type { Logger } from "../log.ts";
import type { EnvLookup } from "../providers/provider_config.ts";
import { providerSecretAllowlist } from "../providers/provider_secrets.ts";
import { ProviderRegistry } from "../providers/registry.ts";
import { PromptCatalog } from "../prompts/prompt_catalog.ts";
import type { ObjectStore } from "../storage/object_store.ts";
import { serviceObjectStore } from "../storage/service_store.ts";

/** Dependencies of the job flow, built once per process. */
export interface JobDeps {
  db: Sql;
  /** Statements sent and committed together with concurrent requests' (service path or a user's). */
  commits: GroupCommit;
  registry: ProviderRegistry;
  /** Prompt templates and negative prompts (enqueue with `enhance: true`). */
  catalog: PromptCatalog;
  /** Service-role object store (writes outputs, signs references after ownership checks). */
  store: ObjectStore;
  log: Logger;
  /** Public base of the functions, for webhook URLs (`https://<ref>.supabase.co/functions/v1`). */
  functionsUrl: string;
  /** Our Supabase origin, whose Storage object URLs are acceptable references. */
  storageOrigin: string;
  now: () => Date;
  /** Uniform random integer in [0, 2^32), for server-chosen seeds and jitter. */
  random: () => number;
  /** Runs work after the response (EdgeRuntime.waitUntil where available). */
  background: Background;
}

/**
 * Wires registry, storage and clock. `env` is read lazily: provider secrets (through the
 * allowlist) and `<NAME>_BASE_URL` overrides are looked up when a model is resolved.
 */
export function buildJobDeps(
  base: { config: Config; db: Sql; commits?: GroupCommit; log: Logger; env: EnvLookup },
): JobDeps {
  const { config, db, log } = base;
  const supabaseUrl = config.SUPABASE_URL.replace(/\/+$/, "");
  return {
    db,
    commits: base.commits ?? createGroupCommit(db),
    registry: new ProviderRegistry({
      db,
      env: base.env,
      log,
      secretAllowlist: providerSecretAllowlist(config.PROVIDER_SECRET_NAMES),
    }),
    catalog: new PromptCatalog({ db }),
    store: serviceObjectStore(config, log),
    log,
    functionsUrl: (config.PUBLIC_FUNCTIONS_URL ?? `${supabaseUrl}/functions/v1`).replace(
      /\/+$/,
      "",
    ),
    storageOrigin: new URL(supabaseUrl).origin,
    now: () => new Date(),
    random: () => crypto.getRandomValues(new Uint32Array(1))[0],
    background: createBackground(log),
  };
}
