/** What a chat turn needs, and how a function process builds it. */
import type { Background } from "../background.ts";
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { GroupCommit } from "../db/group_commit.ts";
import type { Logger } from "../log.ts";
import type { EnvLookup } from "../providers/provider_config.ts";
import type { EnhanceDeps } from "../prompts/enhance.ts";
import { buildEnhanceDeps } from "../prompts/enhance_deps.ts";

/** The registry, templates and bookkeeping of enhancement, plus work after the response. */
export interface ChatDeps extends EnhanceDeps {
  /** Runs work after the response (EdgeRuntime.waitUntil where available). */
  background: Background;
}

/** Builds the chat dependencies for a process. */
export function buildChatDeps(
  base: { config: Config; db: Sql; commits?: GroupCommit; log: Logger; env: EnvLookup },
): ChatDeps {
  return buildEnhanceDeps(base);
}
