/** Builds what prompt enhancement needs, for a function that does not run the job flow. */
import { type Background, createBackground } from "../background.ts";
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { createGroupCommit, type GroupCommit } from "../db/group_commit.ts";
import type { Logger } from "../log.ts";
import type { EnvLookup } from "../providers/provider_config.ts";
import { providerSecretAllowlist } from "../providers/provider_secrets.ts";
import { ProviderRegistry } from "../providers/registry.ts";
import type { EnhanceDeps } from "./enhance.ts";
import { PromptCatalog } from "./prompt_catalog.ts";

/** One registry, one prompt catalog, the group committer and work after the answer for the process. */
export function buildEnhanceDeps(
  base: { config: Config; db: Sql; commits?: GroupCommit; log: Logger; env: EnvLookup },
): EnhanceDeps & { background: Background } {
  return {
    db: base.db,
    commits: base.commits ?? createGroupCommit(base.db),
    registry: new ProviderRegistry({
      db: base.db,
      env: base.env,
      log: base.log,
      secretAllowlist: providerSecretAllowlist(base.config.PROVIDER_SECRET_NAMES),
    }),
    catalog: new PromptCatalog({ db: base.db }),
    log: base.log,
    background: createBackground(base.log),
  };
}
