/**
 * The middle of a save or a copy-to-workspace: server-side copies to the paths of one row-to-be,
 * then that row's insert, in a transaction holding the source row's lock. A copy that finds its
 * destination taken accepts it (only an earlier attempt of this same copy writes there); if
 * anything fails before the insert has succeeded, the copies are removed while the lock is still
 * held, so nothing is left that no row points to.
 */
import type { Tx } from "../../shared/db/client.ts";
import { AppError } from "../../shared/errors.ts";
import type { ObjectRef, TransferOptions } from "../../shared/storage/object_store.ts";
import { ObjectStoreError } from "../../shared/storage/storage_errors.ts";
import type { WorkspaceActionsDeps } from "./deps.ts";
import { explainMissing } from "./storage_faults.ts";

/** One object to copy. */
export interface CopyStep {
  from: ObjectRef;
  to: ObjectRef;
  /** What the source row says about the object (size, type), for the bucket-rules check. */
  source?: TransferOptions["source"];
}

/** The paths the inserted row gets (thumbnail null when there was none to copy). */
export interface CopiedPaths {
  main: string;
  thumbnail: string | null;
}

/**
 * Copies `main` (and `thumbnail`, best-effort: a missing thumbnail is skipped), runs `beforeInsert`
 * (a test seam), then `insert`; removes the copies when any step throws.
 */
export async function copyThenInsert<T>(
  deps: WorkspaceActionsDeps,
  tx: Tx,
  plan: { main: CopyStep; thumbnail?: CopyStep },
  insert: (paths: CopiedPaths) => Promise<T>,
  beforeInsert?: () => Promise<void>,
): Promise<T> {
  const copied: ObjectRef[] = [];
  try {
    await copyOnce(deps, tx, plan.main);
    copied.push(plan.main.to);
    let thumbnail: string | null = null;
    if (plan.thumbnail) {
      try {
        await copyOnce(deps, tx, plan.thumbnail);
        copied.push(plan.thumbnail.to);
        thumbnail = plan.thumbnail.to.path;
      } catch (err) {
        if (!(err instanceof AppError && err.code === "CONFLICT")) throw err;
        deps.log.warn("thumbnail missing from storage; saved without it", {
          bucket: plan.thumbnail.from.bucket,
        });
      }
    }
    await beforeInsert?.();
    return await insert({ main: plan.main.to.path, thumbnail });
  } catch (err) {
    await removeCopies(deps, copied);
    throw fromDbError(err);
  }
}

async function copyOnce(deps: WorkspaceActionsDeps, tx: Tx, step: CopyStep): Promise<void> {
  try {
    await deps.store.copy(step.from, step.to, { source: step.source });
  } catch (err) {
    // The destination's id is derived from the source: what is there is an earlier attempt's copy.
    if (err instanceof ObjectStoreError && err.code === "conflict") return;
    throw await explainMissing(tx, deps.log, step.from, err);
  }
}

async function removeCopies(deps: WorkspaceActionsDeps, refs: ObjectRef[]): Promise<void> {
  for (const bucket of new Set(refs.map((r) => r.bucket))) {
    const paths = refs.filter((r) => r.bucket === bucket).map((r) => r.path);
    try {
      await deps.store.remove(bucket, paths);
    } catch (err) {
      // Reported, not thrown: the caller's own failure is the one to answer with.
      deps.log.error("copies of a failed save could not be removed", { bucket, paths, err });
    }
  }
}

// A row the insert could not write: a collection deleted meanwhile, a duplicate source.
function fromDbError(err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (code === "23503") {
    return new AppError("NOT_FOUND", "The collection no longer exists", {
      details: [{ field: "collection_id", message: "was deleted" }],
      cause: err,
    });
  }
  if (code === "23505") {
    return new AppError("CONFLICT", "This asset is already in the library", { cause: err });
  }
  return err;
}
