/** What the workspace-actions function is built from. */
import type { GroupCommit } from "../../shared/db/group_commit.ts";
import type { Claims } from "../../shared/db/scopes.ts";
import type { FunctionDeps } from "../../shared/http/function_deps.ts";
import type { ObjectStore } from "../../shared/storage/object_store.ts";

/** The signed-in caller an action runs for. */
export interface Caller {
  userId: string;
  claims: Claims;
}

/**
 * Seams for failure-injection tests: an in-process app built with this same factory may pass
 * them; `index.ts` never does, and no request can reach them.
 */
export interface WorkspaceHooks {
  /** Runs after a save's objects were copied, before its library row is inserted. */
  afterLibraryCopy?: (ids: { assetId: string; libraryId: string }) => Promise<void> | void;
  /** Runs after copy-to-workspace's objects were copied, before its workspace row is inserted. */
  afterWorkspaceCopy?: (ids: { libraryId: string; assetId: string }) => Promise<void> | void;
}

/** The function's dependencies. */
export interface WorkspaceActionsDeps extends FunctionDeps {
  /** Service-role store: copies, removals and signatures, always after ownership checks. */
  store: ObjectStore;
  /** Sends concurrent requests' reads in one transaction, each as its own user. */
  commits: GroupCommit;
  hooks?: WorkspaceHooks;
}
