/** What the job flow (enqueue, dispatch, webhooks, reconciliation) depends on. */
import type { Sql } from "../db/client.ts";
import type { GroupCommit } from "../db/group_commit.ts";
import type { Logger } from "../log.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { ObjectStore } from "../storage/object_store.ts";

/** Dependencies of the job flow, built once per process. */
export interface JobDeps {
  db: Sql;
  /** Statements sent and committed together with concurrent requests' (service path or a user's). */
  commits: GroupCommit;
  registry: ProviderRegistry;
  /** Service-role object store (writes outputs, signs references after ownership checks). */
  store: ObjectStore;
  log: Logger;
  /** Public base of the functions, for webhook URLs (`https://<ref>.supabase.co/functions/v1`). */
  functionsUrl: string;
  /** Our Supabase origin, whose Storage object URLs are acceptable references. */
  storageOrigin: string;
  /** Env lookup for webhook secrets. */
  env: (name: string) => string | undefined;
  now: () => Date;
  /** Uniform random integer in [0, 2^32), for server-chosen seeds and jitter. */
  random: () => number;
  /** Runs work after the response (EdgeRuntime.waitUntil where available). */
  background: (work: Promise<unknown>) => void;
}
